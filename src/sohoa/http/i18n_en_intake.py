"""English of the intake screens' inventory check, import and re-import (and their flash messages), keyed by
the Vietnamese source text; ``{name}`` parts are filled in after translation. Part of ``EN``."""

INTAKE_EN: dict[str, str] = {
    "Kiểm tra (không nhập)": "Validate only",
    "Nhập mục lục": "Import inventory",
    "Tải mẫu mục lục (.xlsx)": "Download the inventory template (.xlsx)",
    "Tải báo cáo lỗi (.xlsx)": "Download the error report (.xlsx)",
    "Chỉ kiểm tra, chưa nhập": "Validated only, nothing imported",
    "Nhập lại vào đợt đã có mục lục: trước khi thay đổi, hệ thống liệt kê các hồ sơ sẽ thêm, sửa, bỏ "
    "để bạn xác nhận.": (
        "Importing into an accession that already has an inventory lists the files it would add, change and "
        "remove for you to confirm before anything changes."
    ),
    "Mục lục hợp lệ. Chưa nhập gì: bấm «Nhập mục lục» để đăng ký hồ sơ": (
        "The inventory is valid. Nothing was imported: press «Import inventory» to register the files"
    ),
    "Mục lục mới sẽ thay đổi các hồ sơ đã đăng ký: xem danh sách rồi bấm «Xác nhận»": (
        "The new inventory would change the registered files: check the list, then press «Confirm»"
    ),
    "Mục lục hợp lệ, đã đăng ký {n} hồ sơ": "Inventory valid; {n} file(s) registered",
    "Đã nhập lại mục lục: thêm {added}, sửa {changed}, bỏ {removed} hồ sơ": (
        "Inventory re-imported: {added} file(s) added, {changed} changed, {removed} removed"
    ),
    "Xác nhận nhập lại mục lục": "Confirm the re-import",
    "Mục lục mới sẽ thay đổi các hồ sơ đã đăng ký của đợt này. Chưa có gì thay đổi: hãy xem danh sách dưới đây.": (
        "The new inventory would change the files registered in this accession. Nothing has changed yet: "
        "check the list below."
    ),
    "thêm": "to add",
    "sửa": "to change",
    "bỏ": "to remove",
    "Hồ sơ sẽ thêm": "Files to add",
    "Hồ sơ sẽ sửa": "Files to change",
    "Hồ sơ sẽ bỏ": "Files to remove",
    "Trường": "Field",
    "Hiện tại": "Now",
    "Sẽ thành": "Will be",
    "không thể bỏ": "cannot be removed",
    "Không thể nhập mục lục này: nó bỏ những hồ sơ đã có công việc (đã nhận, xếp hộp, quét hoặc có văn bản). "
    "Hãy giữ các hồ sơ đó trong mục lục rồi tải lên lại.": (
        "This inventory cannot be imported: it leaves out files that already carry work (received, boxed, scanned "
        "or with documents). Keep those files in the inventory and upload it again."
    ),
    "Xác nhận": "Confirm",
    "Ví dụ 0,5 (để trống: 0,1 m mỗi hộp)": "E.g. 0,5 (blank: 0,1 m per box)",
}
