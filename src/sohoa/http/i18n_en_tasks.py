"""English of the cluster's task page (/staff/tasks), keyed by the Vietnamese source text; part of ``EN``."""

TASKS_EN: dict[str, str] = {
    "Tác vụ của cụm": "Cluster tasks",
    ("Kho chạy ở chế độ nhúng (chưa đặt SOHOA_BROKER_URL): không có hàng đợi hay tiến trình xử lý riêng."): (
        "The archive runs embedded (SOHOA_BROKER_URL is not set): there are no queues or separate workers."),
    "Hàng đợi": "Queues",
    "Không đọc được hàng đợi từ broker": "The queues could not be read from the broker",
    "Đang chờ": "Waiting",
    "Tiến trình xử lý": "Workers",
    "Broker không trả lời": "The broker did not answer",
    "Không có tiến trình xử lý nào trả lời": "No worker answered",
    "Tác vụ lỗi": "Dead letters",
    "Tác vụ": "Task",
    "Tham số": "Arguments",
    "Lỗi": "Error",
    "Số lần thử": "Attempts",
    "Đã gửi lại": "Retried",
    "Đã bỏ": "Discarded",
    "Chạy lại": "Retry",
    "Bỏ": "Discard",
    "Không có tác vụ lỗi": "No dead letters",
    "Đã gửi lại tác vụ": "The task was sent again",
    "Đã bỏ tác vụ lỗi": "The dead letter was discarded",
}
