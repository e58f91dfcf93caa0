"""Uploaded files are refused while they are received, past MAX_UPLOAD_BYTES.

Django checks DATA_UPLOAD_MAX_MEMORY_SIZE on a form's fields only: a file of any
size is otherwise received whole, to memory or to a temporary file, before a view
can look at its size. This handler, first in FILE_UPLOAD_HANDLERS, stops the
upload at the first chunk past the limit (or at once when the request declares a
larger body): the rest of the body is read and thrown away, nothing is kept, and
the request carries `upload_too_large` for the view to say so in French. The
web server's own cap (nginx's `client_max_body_size`) comes first in production."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def upload_too_large(request):
    """True if a file of this request was refused for its size."""
    return getattr(request, "upload_too_large", False)


class LimitedUploadHandler(FileUploadHandler):
    received = 0
    declared_too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0
        # What the form's fields may add to a file at the limit.
        allowance = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        self.declared_too_large = (content_length or 0) > MAX_UPLOAD_BYTES + allowance

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.declared_too_large:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > MAX_UPLOAD_BYTES:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) keeps the file

    def _refuse(self):
        if self.request is not None:
            self.request.upload_too_large = True
        raise StopUpload(connection_reset=False)
