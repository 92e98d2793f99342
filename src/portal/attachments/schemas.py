"""An optional file field for forms; the content is checked when it is stored."""
import colander
import deform

from portal.i18n import _


class RequestTmpStore(dict):
    """deform wants somewhere to keep an upload between renders; we ask again instead."""

    def preview_url(self, uid):
        return None


def attachment_node(**kw):
    return colander.SchemaNode(
        deform.FileData(),
        title=_("Attachment"),
        description=_("Optional. PDF, image, text, Word or Excel file."),
        missing=colander.drop,
        widget=deform.widget.FileUploadWidget(RequestTmpStore()),
        **kw,
    )
