"""English of the review screen's page editor (#17 item 3: page thumbnails to reorder, turn and split at, the
neighbouring documents to merge with), keyed by the Vietnamese source text. Part of ``EN``."""

PAGES_EN: dict[str, str] = {
    "Trang của văn bản": "Pages of the document",
    "Kéo thả ảnh trang hoặc dùng nút ← → để đổi thứ tự, rồi bấm “Lưu thứ tự”. Xoay và tách có hiệu lực ngay; bản "
    "gốc không bao giờ bị sửa.":
        "Drag the page images or use the ← → buttons to change the order, then press “Save order”. Turning and "
        "splitting take effect at once; the master scan is never modified.",
    "Trang {page} nay ở vị trí {to}/{count}. Bấm “Lưu thứ tự” để lưu.":
        "Page {page} is now at position {to}/{count}. Press “Save order” to save it.",
    "Hãy lưu hoặc tải lại thứ tự trang trước khi xoay, tách hoặc gộp.":
        "Save or reload the page order before turning, splitting or merging.",
    "Đã xoay so với bản quét": "Turned from the scan",
    "Chuyển trang": "Move page",
    "sang trái": "to the left",
    "sang phải": "to the right",
    "Sang trái": "Left",
    "Sang phải": "Right",
    "Xoay trang": "Turn page",
    "Xoay": "Turn",
    "Tách từ trang này": "Split from this page",
    "Lưu thứ tự": "Save order",
    "Gộp với văn bản liền kề": "Merge with a neighbouring document",
    "ngay trước văn bản này": "just before this document",
    "ngay sau văn bản này": "just after this document",
    "Gộp vào đầu văn bản này": "Merge in at the start of this document",
    "Gộp vào cuối văn bản này": "Merge in at the end of this document",
    "Không có văn bản nào khác cùng hồ sơ (hoặc cùng bản quét) để gộp.":
        "No other document of the same file (or the same scan) to merge with.",
    "Chuyển sang hồ sơ khác": "Move to another file",
    "Chuyển sang hồ sơ": "Move to the file",
    "Hoặc tìm văn bản khác để gộp": "Or find another document to merge",
    "Gõ số, ký hiệu hoặc trích yếu": "Type the number, sign or subject",
    "Đã gộp các trang của văn bản #{other} vào đầu văn bản #{doc}":
        "The pages of document #{other} were merged in at the start of document #{doc}",
    "Đã chuyển trang {page} sang vị trí {to}": "Page {page} moved to position {to}",
    "Đã xoay trang {page} thêm {degrees}° (nay {now}° so với bản quét)":
        "Page {page} turned {degrees}° more ({now}° from the scan now)",
}
