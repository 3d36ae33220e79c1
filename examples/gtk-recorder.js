#!/usr/bin/gjs
// SPDX-License-Identifier: LGPL-2.1-or-later
// The GTK recorder of examples/gtk-recorder/ in GJS (GTK 4): an animated widget rendered by
// GTK, fed to vidwrite from the main loop with push_frames_async, a progress bar, a Cancel
// button.  Usage: gjs gtk-recorder.js [OUTPUT [SECONDS]] [--auto-quit]
imports.gi.versions.Gdk = '4.0';
imports.gi.versions.Gtk = '4.0';
imports.gi.versions.Vidwrite = '1.0';
const {GLib, Gdk, Gio, Graphene, Gtk, Vidwrite} = imports.gi;
const System = imports.system;

const W = 320, H = 240, FPS = 30;
const args = ARGV.filter(a => !a.startsWith('--'));
const output = args[0] || 'recording.mp4';
const total = parseInt(args[1] || '3') * FPS;
const autoQuit = ARGV.includes('--auto-quit');
let frame = 0, status = 1;

function draw(_area, cr, width, height) {
    const t = frame / FPS; // the same animation as the C example
    cr.setSourceRGB(0.15, 0.25, 0.6);
    cr.paint();
    cr.setSourceRGB(0.95, 0.9, 0.2);
    cr.arc(width / 2 + (width / 2 - 30) * Math.sin(t * 2.1),
        height - 30 - Math.abs(Math.sin(t * 3.0)) * (height - 60), 24, 0, 2 * Math.PI);
    cr.fill();
    cr.$dispose();
}

// The frame as the window's GskRenderer renders it, as RGBA bytes (rows of W*4: packed).
function capture() {
    const snapshot = new Gtk.Snapshot();
    const bounds = new Graphene.Rect().init(0, 0, W, H);
    draw(area, snapshot.append_cairo(bounds), W, H);
    const texture = area.get_native().get_renderer().render_texture(snapshot.to_node(), bounds);
    return Gdk.pixbuf_get_from_texture(texture).read_pixel_bytes();
}

function done(message, code) {
    print(message);
    label.set_text(message);
    status = code;
    if (autoQuit)
        loop.quit();
}

function onPushed(w, result) {
    try {
        w.push_frames_finish(result);
    } catch (e) {
        const cancelled = e.matches(Vidwrite.error_quark(), Vidwrite.Error.CANCELLED);
        done(cancelled ? 'cancelled: no file written' : e.message, cancelled ? 0 : 1);
        return;
    }
    frame++;
    area.queue_draw();
    if (frame < total) {
        GLib.idle_add(GLib.PRIORITY_DEFAULT_IDLE, pushNext);
        return;
    }
    w.finish_async(cancellable, (w2, res) => {
        try {
            w2.finish_finish(res);
            done(`wrote ${output}: ${total} frames`, 0);
        } catch (e) {
            done(e.message, 1);
        }
    });
}

function pushNext() {
    writer.push_frames_async(capture(), cancellable, onPushed);
    return GLib.SOURCE_REMOVE;
}

Gtk.init();
const writer = Vidwrite.Writer.new(output);
writer.set_video(W, H, Vidwrite.PixelFormat.RGBA, FPS, 1, 'libx264', {preset: 'veryfast'});
const cancellable = new Gio.Cancellable();
const loop = new GLib.MainLoop(null, false);

const window = new Gtk.Window({title: 'vidwrite GTK recorder (GJS)'});
const box = new Gtk.Box({orientation: Gtk.Orientation.VERTICAL, spacing: 6});
const area = new Gtk.DrawingArea({content_width: W, content_height: H});
area.set_draw_func(draw);
const progress = new Gtk.ProgressBar({show_text: true});
const label = new Gtk.Label({label: 'recording…'});
const cancel = new Gtk.Button({label: 'Cancel'});
cancel.connect('clicked', () => cancellable.cancel());
writer.connect('progress', (_w, encoded) => progress.set_fraction(encoded / total));
for (const child of [area, progress, label, cancel])
    box.append(child);
window.set_child(box);
window.connect('close-request', () => loop.quit());
area.connect('map', () => GLib.idle_add(GLib.PRIORITY_DEFAULT_IDLE, pushNext));
window.present();
loop.run();
System.exit(status);
