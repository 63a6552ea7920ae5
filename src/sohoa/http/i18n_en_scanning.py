"""English of the scanning page: how pages become documents, grouped uploads, the rework list and its redo
(#17 item 6), keyed by the Vietnamese source text. Part of ``EN``."""

SCANNING_EN: dict[str, str] = {
    "Các tệp chọn cùng lúc": "Files chosen together",
    "Tự tách: các tệp là một chuỗi trang theo thứ tự tên tệp, văn bản mới bắt đầu ở trang đầu văn bản": (
        "Auto-split: the files are one run of pages in file-name order; a new document starts at a first page"
    ),
    "Gộp các ảnh thành một văn bản": "These images are one document",
    "Mỗi tệp xử lý riêng": "Each file on its own",
    "gộp một văn bản": "one document",
    "Chỉ nhận tệp TIFF, JPEG, PNG hoặc PDF": "Only TIFF, JPEG, PNG or PDF files",
    "Trang thành văn bản như thế nào?": "How do pages become documents?",
    (
        "Một tệp PDF hoặc TIFF nhiều trang được tách thành các văn bản tại trang có dấu hiệu trang đầu "
        "(Quốc hiệu, số và ký hiệu, ngày tháng); trang mang số trang ở lề trên hoặc «Phụ lục» đi tiếp văn"
        " bản trước."
    ): (
        "A multi-page PDF or TIFF is split into documents at each page that looks like a first page "
        "(national motto, number and notation, date); a page with its page number in the top margin, or "
        "an appendix («Phụ lục»), continues the document before it."
    ),
    (
        "Nhiều ảnh chọn cùng lúc được xếp theo thứ tự tên tệp (trang 2 trước trang 10) rồi tách theo cùng"
        " cách đó. Ảnh tải lên riêng lẻ, hoặc khi chọn «Mỗi tệp xử lý riêng», thành văn bản riêng."
    ): (
        "Several images chosen together are put in file-name order (page 2 before page 10), then split "
        "the same way. An image uploaded alone, or with «Each file on its own», becomes a document of its"
        " own."
    ),
    (
        "Khi các ảnh là các trang của cùng một văn bản, chọn «Gộp các ảnh thành một văn bản»: hệ thống "
        "không tách, giữ mọi trang theo thứ tự tên tệp."
    ): (
        "When the images are the pages of one document, choose «These images are one document»: nothing "
        "is split, and every page is kept in file-name order."
    ),
    (
        "Tờ phân cách QR (người chỉnh lý in ở trang Chỉnh lý, nút «In tờ phân cách») đặt trước mỗi hồ sơ "
        "khi quét cả lô: các trang sau nó thuộc hồ sơ in trên tờ và bắt đầu văn bản mới; tờ phân cách "
        "không được lưu."
    ): (
        "A QR separator sheet (printed by the archivist on the Arrangement page, «Print separator "
        "sheets») goes in front of each file when a whole batch is scanned: the pages after it belong to "
        "the file printed on it and start a new document; the separator sheet itself is not kept."
    ),
    "Quét lại văn bản": "Rescan of document",
    (
        "Các tệp tải lên là các trang của một văn bản (theo thứ tự tên tệp), thay cho văn bản này; bản "
        "quét cũ được giữ nguyên và đánh dấu đã thay thế."
    ): (
        "The files you upload are the pages of one document (in file-name order) that replaces this one; "
        "the old scan is kept as it is and marked superseded."
    ),
    "Hủy quét lại": "Cancel the rescan",
    "Thao tác": "Action",
    "Làm lại: quét lại": "Redo: rescan",
    "Làm lại: chuyển kiểm duyệt": "Redo: send to review",
    "Đã chuyển văn bản #{doc} sang kiểm duyệt lại": "Document #{doc} was sent back to review",
    "Văn bản này không chờ quét lại": "This document is not waiting for a rescan",
    "Lỗi của văn bản này cần quét lại": "This document's defects need a rescan",
}
