#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# The GTK recorder of examples/gtk-recorder/ in Python (PyGObject, GTK 4): an animated widget,
# fed to vidwrite from the main loop with push_frames_async, a progress bar,
# a Cancel button.  Usage: gtk-recorder.py [OUTPUT [SECONDS]] [--auto-quit]
import math
import sys

import cairo
import gi

gi.require_version("Gtk", "4.0")
gi.require_version("Vidwrite", "1.0")
from gi.repository import GLib, Gio, Gtk, Vidwrite  # noqa: E402

W, H, FPS = 320, 240, 30
args = [a for a in sys.argv[1:] if not a.startswith("--")]
output = args[0] if args else "recording.mp4"
total = int(args[1] if len(args) > 1 else 3) * FPS
auto_quit = "--auto-quit" in sys.argv
state = {"frame": 0, "status": 1}


def draw(area, cr, width, height, *_):
    t = state["frame"] / FPS  # the same animation as the C example
    cr.set_source_rgb(0.15, 0.25, 0.6)
    cr.paint()
    cr.set_source_rgb(0.95, 0.9, 0.2)
    cr.arc(width / 2 + (width / 2 - 30) * math.sin(t * 2.1),
           height - 30 - abs(math.sin(t * 3.0)) * (height - 60), 24, 0, 2 * math.pi)
    cr.fill()


def capture():
    """The frame drawn by the widget's own draw function, as Cairo's ARGB32 (BGRA bytes on
    little-endian machines).  PyGObject cannot hold GTK's render nodes, so the C and GJS
    examples' GskRenderer path is not open to Python."""
    surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, W, H)
    draw(area, cairo.Context(surface), W, H)
    surface.flush()
    return GLib.Bytes.new(bytes(surface.get_data()))  # stride is W*4: rows are packed


def done(message, status):
    print(message)
    label.set_text(message)
    state["status"] = status
    if auto_quit:
        loop.quit()


def on_finished(writer, result):
    try:
        writer.finish_finish(result)
        done(f"wrote {output}: {total} frames", 0)
    except GLib.Error as e:
        done(e.message, 1)


def on_pushed(writer, result):
    try:
        writer.push_frames_finish(result)
    except GLib.Error as e:
        cancelled = e.matches(Vidwrite.error_quark(), Vidwrite.Error.CANCELLED)
        return done("cancelled: no file written" if cancelled else e.message, int(not cancelled))
    state["frame"] += 1
    area.queue_draw()
    if state["frame"] == total:
        writer.finish_async(cancellable, on_finished)
    else:
        GLib.idle_add(push_next)


def push_next():
    try:
        writer.push_frames_async(capture(), cancellable, on_pushed)
    except Exception as e:  # an exception in a callback would leave the loop running
        done(f"error: {e}", 1)
    return GLib.SOURCE_REMOVE


writer = Vidwrite.Writer.new(output)
writer.set_video(W, H, Vidwrite.PixelFormat.BGRA, FPS, 1, "libx264", {"preset": "veryfast"})
cancellable = Gio.Cancellable()
loop = GLib.MainLoop()

window = Gtk.Window(title="vidwrite GTK recorder (Python)")
box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=6)
area = Gtk.DrawingArea(content_width=W, content_height=H)
area.set_draw_func(draw)
progress = Gtk.ProgressBar(show_text=True)
label = Gtk.Label(label="recording…")
cancel = Gtk.Button(label="Cancel")
cancel.connect("clicked", lambda *_: cancellable.cancel())
writer.connect("progress", lambda _w, encoded, _pushed: progress.set_fraction(encoded / total))
for child in (area, progress, label, cancel):
    box.append(child)
window.set_child(box)
window.connect("close-request", lambda *_: loop.quit())
area.connect("map", lambda *_: GLib.idle_add(push_next))
window.present()
loop.run()
sys.exit(state["status"])
