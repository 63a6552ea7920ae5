"""English of the review screen's personal data panel (issue #16: the reviewer masks or shows each value found,
adds a mask by text or by a region, previews the public version), keyed by the Vietnamese source text. Part of
``EN``."""

PERSONAL_REVIEW_EN: dict[str, str] = {
    "Dữ liệu cá nhân": "Personal data",
    "sẽ được che khi công bố": "masked when published",
    "hiển thị khi công bố": "shown when published",
    "vùng của trường": "field region",
    "Chưa có dữ liệu cá nhân nào được phát hiện trong văn bản này.": "No personal data was found in this document.",
    ("Khi công bố, cổng công dân, API công khai, OAI-PMH, IIIF và bản sao chứng thực che các giá trị đánh dấu "
     "«sẽ được che», cả trong chữ lẫn trên ảnh."): (
        "Once published, the citizen portal, the public API, OAI-PMH, IIIF and certified copies mask the values "
        "marked «masked», in the text and on the images."),
    "Số giá trị sẽ được che": "Values to be masked",
    "Giá trị": "Value",
    "Nguồn": "Source",
    "Khi công bố": "When published",
    "Giá trị này không có vùng trên ảnh trang": "This value has no region on a page image",
    "Xem trên ảnh trang": "Show on the page image",
    "phát hiện tự động": "detected",
    "người kiểm duyệt thêm": "added by a reviewer",
    "bị hạn chế: luôn che": "restricted: always masked",
    "chính sách che của cấp độ tiếp cận này không che loại dữ liệu này":
        "the masking policy of this access level leaves this kind unmasked",
    "sẽ được che": "masked",
    "hiển thị": "shown",
    "Hiển thị": "Show",
    "Che": "Mask",
    "Thêm vùng che": "Add a mask",
    "Che theo chữ": "Mask by text",
    ("Mọi chỗ giá trị này xuất hiện trên các trang đều được che (không phân biệt dấu, hoa thường; với số chỉ so "
     "các chữ số)."): (
        "Every place this value occurs on the pages is masked (tone marks and case ignored; for numbers only the "
        "digits are compared)."),
    "Giá trị cần che": "Value to mask",
    "Lý do": "Reason",
    "Che giá trị này": "Mask this value",
    "Che một vùng trên trang": "Mask a region of a page",
    ("Toạ độ theo điểm ảnh của bản quét (trái, trên, phải, dưới). Bấm «Vẽ vùng trên ảnh» rồi kéo chuột trên "
     "ảnh trang để điền tự động."): (
        "Coordinates in the scan's pixels (left, top, right, bottom). Press «Draw a region on the image», then "
        "drag on the page image to fill them in."),
    "Trái": "Left",
    "Trên": "Top",
    "Phải": "Right",
    "Dưới": "Bottom",
    "Vẽ vùng trên ảnh": "Draw a region on the image",
    ("Kéo chuột trên ảnh trang để vẽ vùng cần che, hoặc dùng phím mũi tên để di chuyển vùng, Shift+mũi tên để "
     "đổi cỡ, Enter để giữ; Esc để thôi"): (
        "Drag on the page image to draw the region to mask, or move the region with the arrow keys and resize it "
        "with Shift+arrows, Enter to keep it; Esc to stop"),
    "Đã điền toạ độ của vùng vừa vẽ": "The drawn region's coordinates are filled in",
    "Che vùng này": "Mask this region",
    "Xem bản công khai": "See the public version",
    "chữ và ảnh trang như công chúng sẽ thấy khi được công bố": (
        "text and page images as the public will see them once published"),
    # the public preview (personal_preview.html)
    "Bản công khai": "Public version",
    "xem trước": "preview",
    ("Công chúng sẽ thấy văn bản như dưới đây khi được công bố: dữ liệu cá nhân được che trong chữ và trên ảnh "
     "trang."): "Once published, the public will see the document as below: personal data masked in the text and "
                "on the page images.",
    "Quay lại kiểm duyệt": "Back to review",
    "Ảnh trang như công chúng sẽ thấy": "Page image as the public will see it",
    "Giá trị dữ liệu cá nhân được che khi công bố": "Personal data values masked when published",
    # flash messages (sohoa.web.routes_personal_review)
    "Giá trị số {id} sẽ được che khi công bố": "Value no. {id} will be masked when published",
    "Giá trị số {id} sẽ hiển thị khi công bố": "Value no. {id} will be shown when published",
    "Đã thêm vùng che số {id}: {count} vị trí trên các trang": "Mask no. {id} added: {count} places on the pages",
    "Đã thêm vùng che số {id} trên trang {page}": "Mask no. {id} added on page {page}",
    # the service's refusals (sohoa.services.production.personal_review), flashed
    "Loại dữ liệu cá nhân không hợp lệ": "Unknown kind of personal data",
    "Hãy ghi lý do": "Give a reason",
    "Lý do dài quá 500 ký tự": "The reason is longer than 500 characters",
    "Trạng thái không hợp lệ": "Invalid state",
    "Không có dữ liệu cá nhân này trong văn bản": "No such personal data in this document",
    "Dữ liệu này bị hạn chế theo yêu cầu của chủ thể dữ liệu nên luôn được che": (
        "This value is restricted at the data subject's request: it stays masked"),
    "Hãy nhập giá trị cần che": "Type the value to mask",
    "Giá trị quá ngắn để che theo chữ: hãy vẽ vùng cần che trên trang": (
        "Too short to mask by text: draw the region to mask on the page"),
    "Giá trị dài quá 500 ký tự": "The value is longer than 500 characters",
    "Giá trị này đã được che": "This value is already masked",
    "Không tìm thấy giá trị này trong văn bản": "This value does not occur in the document",
    "Vùng che không hợp lệ": "Invalid region",
    "Văn bản không có trang này": "The document has no such page",
    "Vùng che quá nhỏ hoặc nằm ngoài trang": "The region is too small or off the page",
}
