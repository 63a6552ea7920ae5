"""A signer's name read without the title lines above it (the seal printed over them, a faint copy).

On a last page the signature block sits at the right, level with the 'Nơi nhận:' list at the left: the
authority and title lines ("TM. CHÍNH PHỦ" / "THỦ TƯỚNG"), the signature and seal, the signer's name. A red
seal stamped over the title lines often hides them from OCR on a grey scan, while the typed name under the
signature reads well. The name alone is then still the signer's: the one person's name in the right column
below the top of the 'Nơi nhận' list (a place name there is no person). Without its title it is reported
for review (lower certainty).

The other way round, a block whose name OCR lost (a signature or a seal over it, a faint typed name): the
authority line ("KT. CHỦ TỊCH") or a title line at the right of the 'Nơi nhận' list shows that the page is
signed, so the signer's name is expected; it is reported empty and flagged, never left out silently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sohoa.domain.ocr import OcrPage
from sohoa.domain.text import canonical_text

from ._hit import Hit
from ._layout import Segment, is_junk, is_upper_line
from ._signer import clean_name, is_person_name
from .personal._gazetteer import is_place

__all__ = ["find_lone_signer", "find_unnamed_block"]

_REACH = 30  # how many line heights below the top of 'Nơi nhận' the name may sit
_AUTHORITY = re.compile(r"^(?:TM|KT|Q|TL|TUQ)\s*\.\s*\S")
# A signer's office as its title line ends (folded): Chủ tịch, Giám đốc, Bộ/Thứ/Cục/Vụ/Hiệu trưởng, Thủ
# tướng, Bí thư, Chánh văn phòng, Trưởng phòng, Chánh án, Chủ nhiệm, Tổng thư ký.
_TITLE = re.compile(r"(?:chu tich|giam doc|truong|thu tuong|bi thu|chanh van phong|truong phong|chanh an"
                    r"|chu nhiem|thu ky)$")


def find_lone_signer(page: OcrPage, segments: Sequence[Segment]) -> Hit | None:
    """The signer's full name when it is the only person's name at the right of the 'Nơi nhận' list."""
    receivers = _receivers(page, segments)
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


def _receivers(page: OcrPage, segments: Sequence[Segment]) -> Segment | None:
    """The 'Nơi nhận' line in the page's left half."""
    return next((s for s in segments if s.folded.startswith("noi nhan") and s.cx < 0.5 * page.width), None)


def find_unnamed_block(page: OcrPage, segments: Sequence[Segment]) -> Hit | None:
    """The title line of a signature block whose name was not read, as the signer's position (flagged): an
    authority line (TM./KT./Q./TL./TUQ.) in the right half below the header, or the last title line right
    under it ('PHÓ CHỦ TỊCH'), or a title line ('CHỦ TỊCH') at the right of the 'Nơi nhận' list, level with
    its top."""
    right = sorted((s for s in segments if s.bbox.x0 > 0.4 * page.width and s.cy > 0.2 * page.height
                    and not is_junk(s) and s.conf >= 0.5 and is_upper_line(s)), key=lambda s: s.cy)
    for k, seg in enumerate(right):
        if _AUTHORITY.match(seg.text):
            block = [seg]  # the authority line and the title lines right under it: the last is the office
            for under in right[k + 1:]:
                if under.bbox.y0 - block[-1].bbox.y1 > 2.5 * seg.height or not (
                        _AUTHORITY.match(under.text) or _TITLE.search(under.folded)):
                    break
                block.append(under)
            return _unnamed(block[-1])
    receivers = _receivers(page, segments)
    if receivers is None:
        return None
    for seg in right:
        if abs(seg.cy - receivers.cy) < 4 * receivers.height and _TITLE.search(seg.folded):
            return _unnamed(seg)
    return None


def _unnamed(title: Segment) -> Hit:
    return Hit(canonical_text(title.text), (title.words,), 0.5, "signer.position_without_name", needs_review=True)
