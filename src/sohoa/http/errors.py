"""Domain errors → HTTP, in one table, installed once on the application (``install_error_handlers``).

Every ``SohoaError`` a route lets through, and the route rules' own refusals (``LoginRequired``,
``Forbidden``, ``CsrfFailed``), are answered here and nowhere else:

- the status code comes from ``STATUS`` (the first row whose class the error is an instance of);
- API requests (``/api/…``) and clients that ask for JSON (``Accept: application/json`` without HTML) get a
  JSON problem body ``{"detail": message}``; browsers get the staff error page (``error.html``), through the
  renderer the application passes in (templates belong to the web package);
- the message is the error's Vietnamese or English text in the language the browser chose; API clients
  choose none and get both (``"vi / en"``), as the API has always answered.

A GET from a browser that is not signed in is redirected to the login page instead.

Two answers of the framework itself get the same treatment (``install_error_handlers``): a path no route
serves (404) and a form that does not parse (422: a required field missing, a number that is not one).
Browsers get the error page; the API and the machine interfaces (OAI-PMH, IIIF) keep their own answers.
So does an unexpected failure (500): people get the error page of where they were (the portal's own on the
portal), never a bare "Internal Server Error"; the failure is still logged (and raised in tests).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from sohoa.domain.errors import Conflict, NotFound, PermissionDenied, SohoaError, ValidationFailed
from sohoa.http.i18n import request_lang
from sohoa.http.rules import CsrfFailed, Forbidden, LoginRequired

__all__ = ["API_PATH", "STATUS", "HtmlErrorPage", "error_message", "install_error_handlers", "status_of",
           "wants_json"]

API_PATH = "/api/"
log = logging.getLogger(__name__)

# The route rules' refusals carry no text of their own: (Vietnamese, English).
_RULE_TEXT: dict[type[Exception], tuple[str, str]] = {
    LoginRequired: ("Cần đăng nhập", "login required"),
    Forbidden: ("Bạn không có quyền truy cập trang này", "You may not open this page"),
    CsrfFailed: ("Phiên làm việc đã hết hạn, vui lòng thử lại", "Your session expired, please try again"),
}

# Error class → status code; the first matching row wins, so subclasses come before their bases.
STATUS: tuple[tuple[type[Exception], int], ...] = (
    (LoginRequired, 401),
    (Forbidden, 403),
    (CsrfFailed, 403),
    (NotFound, 404),
    (PermissionDenied, 403),
    (Conflict, 409),
    (SohoaError, 400),  # ValidationFailed, InputRejected, EngineError: the request cannot be done as asked
)

# How the application renders its HTML error page: (request, error, status) → response; the page shows the
# error's text in the browser's language.
HtmlErrorPage = Callable[[Request, SohoaError, int], Response]


def status_of(exc: Exception) -> int:
    """The HTTP status of an error, from ``STATUS``."""
    return next((status for kind, status in STATUS if isinstance(exc, kind)), 500)


def wants_json(request: Request) -> bool:
    """API paths, and clients that accept JSON but not HTML (the staff pages' own ``fetch`` calls)."""
    if request.url.path.startswith(API_PATH):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _as_domain(exc: Exception) -> SohoaError:
    return exc if isinstance(exc, SohoaError) else SohoaError(*_RULE_TEXT.get(type(exc), ("Lỗi", "Error")))


def error_message(request: Request, exc: Exception) -> str:
    """The error's text in the request's language; both languages for the API (it has no language)."""
    error = _as_domain(exc)
    if request.url.path.startswith(API_PATH):
        return str(error)  # "vi / en"
    return error.en if request_lang(request) == "en" else error.vi


def _answer(render_html: HtmlErrorPage, request: Request, exc: Exception) -> Response:
    status = status_of(exc)
    if isinstance(exc, LoginRequired) and request.method == "GET" and not wants_json(request):
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    if wants_json(request):
        return JSONResponse({"detail": error_message(request, exc)}, status_code=status)
    return render_html(request, _as_domain(exc), status)


# Paths whose clients are programs: the framework's own answers stay as they are there.
MACHINE_PATHS = (API_PATH, "/oai", "/iiif/")
_NO_PAGE = NotFound("Không tìm thấy trang", "Page not found")
_SERVER_ERROR = SohoaError("Đã có lỗi ở máy chủ; yêu cầu chưa được thực hiện. Vui lòng thử lại sau.",
                           "Something went wrong on the server; the request was not carried out. Please try again "
                           "later.")
_BAD_FORM = ValidationFailed("Biểu mẫu gửi lên thiếu hoặc sai dữ liệu, hãy kiểm tra và gửi lại",
                             "The form was sent with missing or invalid values; please check it and send it again")


def _for_people(request: Request) -> bool:
    return not wants_json(request) and not request.url.path.startswith(MACHINE_PATHS)


def install_error_handlers(app: FastAPI, render_html: HtmlErrorPage) -> None:
    """Answer every error of ``STATUS`` on ``app`` (HTML through ``render_html``, JSON otherwise), and the
    framework's 404 and 422 with the error page for people."""

    def handler(request: Request, exc: Exception) -> Response:  # plain def: Starlette runs it in the thread pool
        return _answer(render_html, request, exc)

    for kind in {kind for kind, _status in STATUS}:
        app.add_exception_handler(kind, handler)

    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if _for_people(request):
            return await run_in_threadpool(render_html, request, _NO_PAGE, 404)
        return await http_exception_handler(request, exc)

    async def bad_form(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if _for_people(request):
            return await run_in_threadpool(render_html, request, _BAD_FORM, 422)
        return await request_validation_exception_handler(request, exc)

    def server_error(request: Request, exc: Exception) -> Response:  # Starlette's last resort (500), in a thread
        if _for_people(request):
            try:
                return render_html(request, _SERVER_ERROR, 500)
            except Exception:  # the page itself cannot be made (the database is gone): the plain answer
                log.exception("the error page for %s could not be rendered", request.url.path)
        return PlainTextResponse("Internal Server Error", status_code=500)

    app.add_exception_handler(404, not_found)
    app.add_exception_handler(RequestValidationError, bad_form)
    app.add_exception_handler(Exception, server_error)
