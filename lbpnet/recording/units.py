"""Physical units lbpnet knows, with their canonical spelling.

Units follow BIDS conventions (SI symbols, ``u`` or ``µ`` for micro). A unit
outside this table is an error at validation time so that a typo never turns
microvolts into volts silently.
"""

from __future__ import annotations

# canonical symbol -> accepted spellings (lower-cased comparison)
_UNITS: dict[str, tuple[str, ...]] = {
    "V": ("v", "volt", "volts"),
    "mV": ("mv",),
    "uV": ("uv", "µv", "μv", "microvolt", "microvolts"),
    "nV": ("nv",),
    "g": ("g", "g0"),
    "m/s^2": ("m/s^2", "m/s²", "m/s2", "ms^-2", "m s-2"),
    "rad/s": ("rad/s", "rad s-1", "rads-1"),
    "deg/s": ("deg/s", "°/s", "dps", "degrees/s"),
    "deg": ("deg", "°", "degree", "degrees"),
    "rad": ("rad", "radian", "radians"),
    "uT": ("ut", "µt", "μt"),
    "mT": ("mt",),
    "gauss": ("gauss", "gs"),
    "%": ("%", "percent"),
    "uS": ("us", "µs", "μs", "microsiemens"),
    "degC": ("degc", "°c", "celsius", "c"),
    "bpm": ("bpm", "beats/min", "1/min"),
    "ms": ("ms",),
    "s": ("s", "sec", "seconds"),
    "uM": ("um", "µm", "μm", "umol/l", "µmol/l", "μmol/l"),
    "mmHg": ("mmhg",),
    "m": ("m",),
    "mm": ("mm",),
    "N": ("n", "newton"),
    "a.u.": ("a.u.", "au", "arbitrary", "arbitrary units"),
    "n/a": ("n/a", ""),
}
_LOOKUP = {alias: canon for canon, aliases in _UNITS.items() for alias in aliases}
_LOOKUP.update({canon.lower(): canon for canon in _UNITS})


def canonical_unit(unit: str) -> str | None:
    """Return the canonical spelling of ``unit`` or ``None`` when unknown."""
    return _LOOKUP.get(str(unit).strip().lower())


def known_units() -> list[str]:
    """Canonical unit symbols, for error messages."""
    return list(_UNITS)
