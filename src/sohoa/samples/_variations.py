"""Named layout/typography variations of the sample generator, split into a tuning and a held-out set.

Each variation changes how a document is typeset, signed or scanned — never what its truth says it is:
``truth.json`` stays exact for every one (a spaced sign "Số:12 /QĐ - UBND" is still the fields
``12`` / ``QĐ-UBND``; a stamp over the signer's name leaves the name's truth line as printed). Every
variation is seedable: its own choices come from a random stream of (seed, document) apart from the
document's content stream.

HELD_OUT variations must NEVER be used while developing or tuning extraction rules, review thresholds
or calibration: they are only run by ``bench/accuracy.py`` to report how the rules generalize to
layouts they were not tuned on (issue #12, item 4; docs/benchmarks.md). Develop on TUNING only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sohoa.domain.errors import ValidationFailed


@dataclass(frozen=True)
class Variation:
    """How one kind of document differs from the plain generator; defaults are the plain generator.

    ``family``: the serif face (``sohoa.samples._typeset.FAMILIES``); ``body_pt`` the body sizes drawn
    from and ``spacing`` the line-spacing range; ``organ_lines`` forces the organ name onto 1 or 2
    lines (0: as drawn); ``spaced_sign`` prints the sign with irregular spaces ("Số:12 /QĐ - UBND");
    ``long_subject`` makes the trích yếu run over 2–3 lines; ``signer`` draws "Q_TL" (Q./TL.) or
    "TUQ_TM_KT" (TUQ. or TM.+KT.) signature blocks; ``seal_over_name`` puts a red seal over the
    signer's name; ``handwritten`` writes the number and the day into a typed form by hand;
    ``condition`` is the scan condition it implies (photocopy, fax); ``landscape`` lays pages out on
    landscape A4; ``two_up`` scans two consecutive pages of a document on one (A3) image.
    """

    name: str
    family: str = "liberation"
    body_pt: tuple[float, ...] = (13.0, 14.0, 14.0)
    spacing: tuple[float, float] = (1.15, 1.35)
    organ_lines: int = 0
    spaced_sign: bool = False
    long_subject: bool = False
    signer: str = ""
    seal_over_name: bool = False
    handwritten: bool = False
    condition: str | None = None
    landscape: bool = False
    two_up: bool = False


PLAIN = Variation("plain")

VARIATIONS: dict[str, Variation] = {v.name: v for v in (
    PLAIN,
    Variation("font_dejavu", family="dejavu"),                      # a wide serif (fonts-dejavu-core)
    Variation("size_12", body_pt=(12.0,), spacing=(1.15, 1.25)),
    Variation("spacing_loose", body_pt=(14.0,), spacing=(1.4, 1.6)),
    Variation("organ_two_lines", organ_lines=2),
    Variation("subject_long", long_subject=True),
    Variation("signer_q_tl", signer="Q_TL"),
    Variation("handwritten", handwritten=True),
    Variation("photocopy", condition="photocopy"),
    Variation("landscape", landscape=True),
    # Held out (see HELD_OUT):
    Variation("font_freeserif", family="freeserif"),               # Times-like (fonts-freefont-ttf)
    Variation("spacing_tight", body_pt=(12.0, 13.0), spacing=(1.0, 1.1)),
    Variation("organ_one_line", organ_lines=1),
    Variation("sign_spaced", spaced_sign=True),
    Variation("signer_tuq_tm_kt", signer="TUQ_TM_KT"),
    Variation("seal_over_name", seal_over_name=True),
    Variation("fax", condition="fax"),
    Variation("two_up", two_up=True),
)}

# The split is fixed here and documented in docs/benchmarks.md. NEVER look at HELD_OUT results while
# developing extraction rules (sohoa.intelligence), review thresholds or their calibration.
TUNING: tuple[str, ...] = ("plain", "font_dejavu", "size_12", "spacing_loose", "organ_two_lines", "subject_long",
                           "signer_q_tl", "handwritten", "photocopy", "landscape")
HELD_OUT: tuple[str, ...] = ("font_freeserif", "spacing_tight", "organ_one_line", "sign_spaced", "signer_tuq_tm_kt",
                             "seal_over_name", "fax", "two_up")

# Scan conditions only held-out variations bring: calibration and rule development must not use them.
HELD_OUT_CONDITIONS: tuple[str, ...] = tuple(
    c for c in (VARIATIONS[n].condition for n in HELD_OUT)
    if c is not None and c not in {VARIATIONS[t].condition for t in TUNING})


def variation_named(name: str) -> Variation:
    """The variation called ``name``."""
    found = VARIATIONS.get(name)
    if found is None:
        raise ValidationFailed(f"Biến thể mẫu không hợp lệ: {name}",
                               f"Unknown variation {name!r}; expected one of {', '.join(VARIATIONS)}")
    return found


def group_of(name: str) -> str:
    """'tuning' or 'held_out'."""
    return "held_out" if variation_named(name).name in HELD_OUT else "tuning"
