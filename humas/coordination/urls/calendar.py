from django.urls import path

from ..views import calendar as views

app_name = "coordination"

urlpatterns = [
    path("<slug:office_slug>/kalender/", views.calendar_list, name="calendar"),
    path("<slug:office_slug>/kalender/bulan/", views.calendar_month, name="month"),
    path("<slug:office_slug>/kalender/minggu/", views.calendar_week, name="week"),
    path("<slug:office_slug>/kalender/data/", views.calendar_data, name="data"),
    path("<slug:office_slug>/kalender/pindah/", views.calendar_move, name="move"),
    path("<slug:office_slug>/kalender/pindahkan/", views.calendar_move_form, name="move_form"),
]
