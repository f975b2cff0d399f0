"""Forms for the event pages. They parse; the services check what spans records."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lotsen.events.models import Audience, EventFormat
from lotsen.pages.validators import planned

DATE_HINT = _("ÅÅÅÅ-MM-DD")
TIME_HINT = _("TT:MM, till exempel 09:00")
ERROR_END_TIME = _("Sluttiden måste vara efter starttiden.")


def _date_field(label, *, required=True):
    # Events are planned ahead and filtered by period: from 1900 to ten years ahead.
    return forms.DateField(
        label=label,
        required=required,
        help_text=DATE_HINT,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[planned(label)],
        error_messages={"invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD.")},
    )


def _time_field(label):
    return forms.TimeField(
        label=label,
        help_text=TIME_HINT,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": _("Ange en tid."),
            "invalid": _("Skriv tiden som TT:MM, till exempel 09:00."),
        },
    )


class EventForm(forms.Form):
    title = forms.CharField(
        label=_("Rubrik"),
        max_length=200,
        error_messages={"required": _("Skriv en rubrik för evenemanget.")},
    )
    programme = forms.ChoiceField(label=_("Program"), required=False, widget=forms.RadioSelect)
    date = _date_field(_("Datum"))
    start_time = _time_field(_("Börjar klockan"))
    end_time = _time_field(_("Slutar klockan"))
    format = forms.ChoiceField(
        label=_("Form"),
        choices=EventFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj om evenemanget är på plats eller digitalt.")},
    )
    audience = forms.ChoiceField(
        label=_("Vem är evenemanget för?"),
        choices=Audience.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj vem evenemanget är för.")},
    )
    location = forms.CharField(
        label=_("Plats"),
        required=False,
        max_length=300,
        help_text=_("Adress och lokal, eller hur man ansluter till ett digitalt möte."),
    )
    link = forms.URLField(
        assume_scheme="https",
        label=_("Länk till mötet"),
        required=False,
        help_text=_("För digitala evenemang. Visas för alla som öppnar evenemangets sida."),
        error_messages={"invalid": _("Skriv en hel webbadress som börjar med https://.")},
    )
    description = forms.CharField(
        label=_("Beskrivning"), required=False, widget=forms.Textarea, max_length=5000
    )
    capacity = forms.IntegerField(
        label=_("Antal platser"),
        required=False,
        min_value=1,
        help_text=_("Lämna tomt om antalet inte är begränsat."),
        error_messages={"invalid": _("Skriv antalet platser som en siffra.")},
    )
    registration_open = forms.BooleanField(
        label=_("Öppen för anmälan på den publika sidan"), required=False
    )

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.programmes = {str(p.pk): p for p in programmes}
        self.fields["programme"].choices = [
            ("", _("Inget program")),
            *((key, p.name) for key, p in self.programmes.items()),
        ]

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            if end <= start:
                self.add_error("end_time", ERROR_END_TIME)
            else:
                zone = timezone.get_current_timezone()
                data["starts_at"] = timezone.make_aware(dt.datetime.combine(day, start), zone)
                data["ends_at"] = timezone.make_aware(dt.datetime.combine(day, end), zone)
        data["programme"] = self.programmes.get(data.get("programme") or "")
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        keys = (
            "title",
            "programme",
            "starts_at",
            "ends_at",
            "format",
            "audience",
            "location",
            "link",
            "description",
            "capacity",
            "registration_open",
        )
        return {key: data[key] for key in keys}

    @staticmethod
    def initial_for(event) -> dict:
        start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
        return {
            "title": event.title,
            "programme": str(event.programme_id or ""),
            "date": start.date(),
            "start_time": start.time().strftime("%H:%M"),
            "end_time": end.time().strftime("%H:%M"),
            "format": event.format,
            "audience": event.audience,
            "location": event.location,
            "link": event.link,
            "description": event.description,
            "capacity": event.capacity,
            "registration_open": event.registration_open,
        }


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label=_("Namn"),
        max_length=200,
        error_messages={"required": _("Skriv ditt namn.")},
    )
    email = forms.EmailField(
        label=_("E-postadress"),
        help_text=_("Vi skickar information om evenemanget hit."),
        error_messages={
            "required": _("Skriv din e-postadress."),
            "invalid": _("Skriv e-postadressen i rätt format, till exempel namn@kommun.se."),
        },
    )
    organisation_name = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        help_text=_("Till exempel kommunen, skolan eller regionen du arbetar i."),
        error_messages={"required": _("Skriv vilken organisation du arbetar i.")},
    )
    role = forms.CharField(
        label=_("Yrkesroll"),
        max_length=120,
        help_text=_("Till exempel kurator, mentor eller studie- och yrkesvägledare."),
        error_messages={"required": _("Skriv din yrkesroll.")},
    )


class TrainingHoursFilterForm(forms.Form):
    programme = forms.ChoiceField(label=_("Program"), required=False, widget=forms.RadioSelect)
    date_from = _date_field(_("Från och med"), required=False)
    date_to = _date_field(_("Till och med"), required=False)

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.programmes = {str(p.pk): p for p in programmes}
        self.fields["programme"].choices = [
            ("", _("Alla program")),
            *((key, p.name) for key, p in self.programmes.items()),
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("Slutdatumet kan inte vara före startdatumet."))
        data["programme"] = self.programmes.get(data.get("programme") or "")
        return data
