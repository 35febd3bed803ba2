from django.urls import path

from ..views import replies

urlpatterns = [
    path("<slug:office_slug>/monitoring/balasan/", replies.reply_list, name="replies"),
    path("<slug:office_slug>/monitoring/balasan/kirim/", replies.replies_send, name="replies_send"),
    path(
        "<slug:office_slug>/monitoring/balasan/<int:reply_id>/kirim/",
        replies.reply_send_one,
        name="reply_send",
    ),
    path(
        "<slug:office_slug>/monitoring/balasan/<int:reply_id>/batal/",
        replies.reply_discard_one,
        name="reply_discard",
    ),
]
