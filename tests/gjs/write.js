// SPDX-License-Identifier: LGPL-2.1-or-later
// The typelib from GJS: write a short file with Vidwrite.Writer, check it with ffprobe, and
// check that errors arrive as GLib.Error in the vidwrite domain.  Exits non-zero on failure.
imports.gi.versions.Vidwrite = '1.0';
const {GLib, Vidwrite} = imports.gi;
const System = imports.system;

function check(condition, what) {
    if (!condition)
        throw new Error(`check failed: ${what}`);
}

const [, num, den] = Vidwrite.rate_to_fraction(29.97);
check(num === 30000 && den === 1001, `29.97 -> ${num}/${den}`);

try {
    Vidwrite.rate_to_fraction(-1);
    check(false, 'a negative rate is refused');
} catch (e) {
    check(e instanceof GLib.Error, `GLib.Error, not ${e}`);
    check(e.matches(Vidwrite.error_quark(), Vidwrite.Error.INVALID_ARGUMENT), `code ${e.code}`);
    check(e.message.includes('-1'), `message "${e.message}"`);
}

const dir = GLib.dir_make_tmp('vidwrite-gjs-XXXXXX');
const path = GLib.build_filenamev([dir, 'gjs.mkv']);
const width = 64, height = 48, frames = 15;
const pixels = new Uint8Array(width * height * 3 * frames);
for (let i = 0; i < pixels.length; i++)
    pixels[i] = (i * 7 + Math.floor(i / (width * height * 3)) * 13) & 0xff;

const writer = Vidwrite.Writer.new(path);
writer.set_video(width, height, Vidwrite.PixelFormat.RGB, 30000, 1001, 'libx264',
    {preset: 'ultrafast', crf: '20'});
let encoded = 0;
writer.connect('progress', (_writer, framesEncoded) => {
    encoded = framesEncoded;
});
writer.push_frames(new GLib.Bytes(pixels));
check(writer.finish(null), 'finish');
check(encoded === frames, `progress reached ${encoded}`);

try {
    writer.push_frames(new GLib.Bytes(pixels));
    check(false, 'pushing after finish is refused');
} catch (e) {
    check(e.matches(Vidwrite.error_quark(), Vidwrite.Error.STATE), `code ${e.code}`);
}

const ffprobe = GLib.getenv('FFPROBE') || 'ffprobe';
const [, out, , status] = GLib.spawn_sync(null,
    [ffprobe, '-v', 'error', '-count_frames', '-show_entries',
        'stream=codec_name,width,height,r_frame_rate,nb_read_frames', '-of', 'default=nw=1', path],
    null, GLib.SpawnFlags.SEARCH_PATH, null);
const report = new TextDecoder().decode(out);
GLib.unlink(path);
GLib.rmdir(dir);
check(status === 0, `ffprobe exit status ${status}`);
for (const line of ['codec_name=h264', 'width=64', 'height=48', 'r_frame_rate=30000/1001',
    `nb_read_frames=${frames}`])
    check(report.includes(line), `ffprobe reports ${line}:\n${report}`);
print(report.trim());
System.exit(0);
