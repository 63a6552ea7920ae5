"""English of the type-ahead pickers and of the "create a hồ sơ" form, keyed by the Vietnamese source text.
Part of ``EN``."""

_CODE_HELP = (
    "Mã hồ sơ được ghép theo NĐ 30: mã phông, năm hình thành (năm của ngày bắt đầu) và số, ký hiệu hồ sơ; hồ sơ "
    "thuộc một đợt giao nộp lấy mã theo mục lục của đợt đó. Các quy tắc kiểm tra giống như khi nhập mục lục."
)

PICKERS_EN: dict[str, str] = {
    "cũ": "old",
    "Phông": "Fonds",
    "Gõ mã hoặc tên đơn vị": "Type a unit's code or name",
    "Đơn vị và các đơn vị tiền thân": "The unit and the units it succeeded",
    "Gõ mã phông hoặc tên": "Type a fonds code or name",
    "Gõ mã phông hoặc tên đơn vị": "Type a fonds code or its unit's name",
    "Gõ mã hồ sơ hoặc tiêu đề": "Type a file code or title",
    "Để trống nếu chưa biết hồ sơ; văn bản có thể được chuyển vào hồ sơ khi kiểm duyệt.": (
        "Leave empty when the file is not known yet; the documents can be moved into a file during review."
    ),
    "Gõ vài chữ của tên (không cần dấu) hoặc mã, rồi chọn trong danh sách": (
        "Type a few letters of the name (tone marks optional) or the code, then choose from the list"
    ),
    "Tạo hồ sơ": "Create a file",
    "Đã tạo hồ sơ {code}": "File {code} created",
    "Hộp số": "Box number",
    "Hộp của đợt giao nộp đã chọn": "A box of the accession chosen",
    "≤20 ký tự, ví dụ 01.TCCB": "≤20 characters, e.g. 01.TCCB",
    _CODE_HELP: (
        "The file code is composed as NĐ 30 sets it: the fonds code, the year the file was formed (the year of its "
        "start date) and the file number; a file of an accession takes the code its inventory gives. The checks "
        "are those of an inventory import."
    ),
}
