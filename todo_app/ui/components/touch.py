"""Touch targets of 44 px around small controls, without moving anything."""

# An invisible box over a 20-32 px control that takes the taps around it.
TOUCH_TARGET = {
    "position": "relative",
    "_after": {"content": '""', "position": "absolute", "inset": "-12px"},
}
