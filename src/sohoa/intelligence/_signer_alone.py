"""A signer's name read without the title lines above it (the seal printed over them, a faint copy).

On a last page the signature block sits at the right, level with the 'Nơi nhận:' list at the left: the
authority and title lines ("TM. CHÍNH PHỦ" / "THỦ TƯỚNG"), the signature and seal, the signer's name. A red
seal stamped over the title lines often hides them from OCR on a grey scan, while the typed name under the
signature reads well. The name alone is then still the signer's: the one person's name in the right column
below the top of the 'Nơi nhận' list (a place name there is no person). Without its title it is reported
for review (lower certainty).
"""

from __future__ import annotations

from collections.abc import Sequence

from sohoa.domain.ocr import OcrPage
from sohoa.domain.text import canonical_text

from ._hit import Hit
from ._layout import Segment
from ._signer import clean_name, is_person_name
from .personal._gazetteer import is_place

__all__ = ["find_lone_signer"]

_REACH = 30  # how many line heights below the top of 'Nơi nhận' the name may sit


def find_lone_signer(page: OcrPage, segments: Sequence[Segment]) -> Hit | None:
    """The signer's full name when it is the only person's name at the right of the 'Nơi nhận' list."""
    receivers = next((s for s in segments if s.folded.startswith("noi nhan") and s.cx < 0.5 * page.width), None)
    if receivers is None:
        return None
    reach = receivers.cy + _REACH * receivers.height
    names = [s for s in segments
             if s.bbox.x0 > 0.5 * page.width and receivers.bbox.y0 < s.cy < reach and s.conf >= 0.5
             and is_person_name(clean_name(s.text)) and not is_place(clean_name(s.text))]
    if len(names) != 1:
        return None  # none, or several people (co-signers): not one signer's block
    name = names[0]
    return Hit(canonical_text(clean_name(name.text)), (name.words,), 0.75, "signer.name_alone")
