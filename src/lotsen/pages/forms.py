"""Form helpers shared by every app's views."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render


def form_add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: at the field when it names one of the
    form's fields, otherwise at the top (the error summary shows both)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def form_page(
    request,
    *,
    form,
    save: Callable[[], object],
    success_message: str,
    success_url: str,
    template: str,
    context: Mapping[str, object] | None = None,
) -> HttpResponse:
    """The one form page: GET shows the form; a valid POST calls ``save`` (the service),
    says ``success_message`` and goes to ``success_url``. A service's ValidationError is
    shown on the form, a PermissionDenied at its top, so nothing is half-written and the
    user sees why."""
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, success_message)
            return redirect(success_url)
    return render(request, template, {"form": form, **(context or {})})
