/**
 * The uinput helper, run as `python3 -c <source> [--dry-run] [--device PATH]`.
 *
 * Creating a Linux input device takes ioctl(2) calls (UI_SET_EVBIT,
 * UI_DEV_SETUP, UI_DEV_CREATE …), which Node cannot make and the installed
 * npm packages do not provide; Python's standard library can (fcntl.ioctl).
 * So one helper process per session does only that: it reads gamepad events
 * on stdin in the protocol's own binary layout (GamepadState 0x20, 14 bytes;
 * GamepadConnect 0x21 / GamepadDisconnect 0x22, 2 bytes), keeps one virtual
 * Xbox 360 pad (045e:028e, the layout SDL, Steam Input and the kernel's
 * xpad mappings expect) per player pad, and writes evdev events for what
 * changed. With --dry-run it prints those events as JSON lines instead of
 * touching /dev/uinput, which is how the translation is tested.
 *
 * It prints "ready" once it can take events, and "error <reason>" and exits 3
 * when the device cannot be opened.
 */
export const UINPUT_HELPER_SOURCE = `
import fcntl, json, os, struct, sys, time

EV_SYN, EV_KEY, EV_ABS = 0, 1, 3
SYN_REPORT = 0
# linux/input-event-codes.h
BTN_SOUTH, BTN_EAST, BTN_NORTH, BTN_WEST = 0x130, 0x131, 0x133, 0x134
BTN_TL, BTN_TR, BTN_SELECT, BTN_START, BTN_MODE, BTN_THUMBL, BTN_THUMBR = 0x136, 0x137, 0x13a, 0x13b, 0x13c, 0x13d, 0x13e
ABS_X, ABS_Y, ABS_Z, ABS_RX, ABS_RY, ABS_RZ, ABS_HAT0X, ABS_HAT0Y = 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x10, 0x11
# linux/uinput.h: _IOW('U', n, size) = 0x40000000 | size << 16 | 0x55 << 8 | n
UI_SET_EVBIT, UI_SET_KEYBIT, UI_SET_ABSBIT = 0x40045564, 0x40045565, 0x40045567
UI_DEV_SETUP, UI_ABS_SETUP, UI_DEV_CREATE, UI_DEV_DESTROY = 0x405c5503, 0x401c5504, 0x5501, 0x5502
BUS_USB = 0x03

# XInput wButtons bit -> evdev key (A B X Y are south east west north on an Xbox pad)
BUTTONS = [(0x1000, BTN_SOUTH), (0x2000, BTN_EAST), (0x4000, BTN_WEST), (0x8000, BTN_NORTH),
           (0x0100, BTN_TL), (0x0200, BTN_TR), (0x0020, BTN_SELECT), (0x0010, BTN_START),
           (0x0400, BTN_MODE), (0x0040, BTN_THUMBL), (0x0080, BTN_THUMBR)]
STICK = (-32768, 32767, 16, 128)  # min, max, fuzz, flat
TRIGGER = (0, 255, 0, 0)
HAT = (-1, 1, 0, 0)
AXES = [(ABS_X, STICK), (ABS_Y, STICK), (ABS_RX, STICK), (ABS_RY, STICK),
        (ABS_Z, TRIGGER), (ABS_RZ, TRIGGER), (ABS_HAT0X, HAT), (ABS_HAT0Y, HAT)]

dry = '--dry-run' in sys.argv
path = sys.argv[sys.argv.index('--device') + 1] if '--device' in sys.argv else '/dev/uinput'

class Pad:
    def __init__(self, index):
        self.index = index
        self.state = {}
        self.fd = None
        if dry:
            return
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        fcntl.ioctl(fd, UI_SET_EVBIT, EV_KEY)
        fcntl.ioctl(fd, UI_SET_EVBIT, EV_ABS)
        for _, key in BUTTONS:
            fcntl.ioctl(fd, UI_SET_KEYBIT, key)
        for code, (lo, hi, fuzz, flat) in AXES:
            fcntl.ioctl(fd, UI_SET_ABSBIT, code)
            # struct uinput_abs_setup: u16 code, (pad), struct input_absinfo {value, min, max, fuzz, flat, resolution}
            fcntl.ioctl(fd, UI_ABS_SETUP, struct.pack('Hxx6i', code, 0, lo, hi, fuzz, flat, 0))
        name = ('Frameway Pad %d' % (index + 1)).encode()
        # struct uinput_setup: struct input_id {bustype, vendor, product, version}, char name[80], u32 ff_effects_max
        fcntl.ioctl(fd, UI_DEV_SETUP, struct.pack('4H80sI', BUS_USB, 0x045e, 0x028e, 0x0114, name, 0))
        fcntl.ioctl(fd, UI_DEV_CREATE)
        self.fd = fd

    def emit(self, changes):
        if not changes:
            return
        if dry:
            print(json.dumps({'pad': self.index, 'events': changes}), flush=True)
            return
        now = time.time()
        sec, usec = int(now), int((now % 1) * 1e6)
        records = b''.join(struct.pack('llHHi', sec, usec, t, c, v) for t, c, v in changes)
        os.write(self.fd, records + struct.pack('llHHi', sec, usec, EV_SYN, SYN_REPORT, 0))

    def update(self, wanted):
        changes = [(t, c, v) for (t, c), v in wanted.items() if self.state.get((t, c)) != v]
        self.state.update(wanted)
        self.emit(changes)

    def close(self):
        if self.fd is not None:
            fcntl.ioctl(self.fd, UI_DEV_DESTROY)
            os.close(self.fd)
            self.fd = None

def state_of(buttons, lt, rt, lx, ly, rx, ry):
    wanted = {(EV_KEY, key): 1 if buttons & bit else 0 for bit, key in BUTTONS}
    # XInput sticks are y-up; evdev (and every Linux game) is y-down.
    flip = lambda v: max(-32768, min(32767, -v))
    wanted.update({(EV_ABS, ABS_X): lx, (EV_ABS, ABS_Y): flip(ly), (EV_ABS, ABS_RX): rx, (EV_ABS, ABS_RY): flip(ry),
                   (EV_ABS, ABS_Z): lt, (EV_ABS, ABS_RZ): rt,
                   (EV_ABS, ABS_HAT0X): (1 if buttons & 0x8 else 0) - (1 if buttons & 0x4 else 0),
                   (EV_ABS, ABS_HAT0Y): (1 if buttons & 0x2 else 0) - (1 if buttons & 0x1 else 0)})
    return wanted

def main():
    pads = {}
    def pad(index):
        if index not in pads:
            pads[index] = Pad(index)
        return pads[index]
    try:
        if not dry:
            os.close(os.open(path, os.O_WRONLY))
    except OSError as error:
        print('error %s: %s' % (path, error.strerror), flush=True)
        sys.exit(3)
    print('ready', flush=True)
    stdin = sys.stdin.buffer
    while True:
        kind = stdin.read(1)
        if not kind:
            break
        if kind[0] == 0x20:
            body = stdin.read(13)
            if len(body) < 13:
                break
            index, buttons, lt, rt, lx, ly, rx, ry = struct.unpack('<BHBBhhhh', body)
            if index < 4:
                pad(index).update(state_of(buttons, lt, rt, lx, ly, rx, ry))
        elif kind[0] in (0x21, 0x22):
            body = stdin.read(1)
            if len(body) < 1:
                break
            if body[0] < 4:
                if kind[0] == 0x21:
                    pad(body[0])
                    print(json.dumps({'pad': body[0], 'connected': True}), flush=True) if dry else None
                elif body[0] in pads:
                    pads.pop(body[0]).close()
                    print(json.dumps({'pad': body[0], 'connected': False}), flush=True) if dry else None
        else:
            print('error unknown record 0x%02x' % kind[0], flush=True)
            sys.exit(2)
    for p in pads.values():
        p.close()

main()
`;
