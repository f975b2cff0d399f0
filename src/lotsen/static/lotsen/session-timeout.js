// The warning before the idle timeout (WCAG 2.2.1 Timing Adjustable); the server side is
// lotsen.accounts.session. The session ends after data-idle-seconds without a request, and
// at data-absolute-end (epoch seconds) at the latest. data-warning-seconds before the end, the
// dialog (includes/session_timeout.html) opens with the focus on "Fortsätt vara inloggad",
// which pings the server (any request renews the session). Escape counts as staying too:
// whoever pressed it is there. Unanswered, the page posts to session_ended, which logs out
// and says why on the login page. Requests made by htmx (but not its polls) renew the
// session as well, and tabs share the time of the last request through localStorage, so a
// tab left open does not log out a user who is working in another.
(function () {
  "use strict";

  var dialog = document.getElementById("lotsen-timeout");
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var STORAGE_KEY = "lotsen-session-activity";
  var idleMs = Number(dialog.dataset.idleSeconds) * 1000;
  var warningMs = Number(dialog.dataset.warningSeconds) * 1000;
  var absoluteEnd = Number(dialog.dataset.absoluteEnd) * 1000;
  var keepaliveUrl = dialog.dataset.keepaliveUrl;
  var stayButton = dialog.querySelector("[data-timeout-stay]");
  var logoutButton = dialog.querySelector("[data-timeout-logout]");
  var endedForm = dialog.querySelector("[data-timeout-ended]");
  var csrfToken = endedForm.querySelector("input[name=csrfmiddlewaretoken]").value;
  var lastRequest = Date.now();
  var returnFocusTo = null;
  var finished = false;

  function sharedLastRequest() {
    try {
      return Number(window.localStorage.getItem(STORAGE_KEY)) || 0;
    } catch (error) {
      return 0;
    }
  }

  function requestMade() {
    lastRequest = Date.now();
    try {
      window.localStorage.setItem(STORAGE_KEY, String(lastRequest));
    } catch (error) {
      // Storage may be off; this tab still keeps its own time.
    }
  }

  function showReason(reason) {
    dialog.querySelectorAll("[data-timeout-reason]").forEach(function (paragraph) {
      paragraph.hidden = paragraph.dataset.timeoutReason !== reason;
    });
    // The absolute limit cannot be extended: only logging out (or saving first) remains.
    stayButton.hidden = reason === "absolute";
  }

  function open(reason) {
    showReason(reason);
    returnFocusTo = document.activeElement;
    dialog.showModal();
    (stayButton.hidden ? logoutButton : stayButton).focus();
  }

  function close() {
    if (dialog.open) {
      dialog.close();
    }
    if (returnFocusTo && typeof returnFocusTo.focus === "function") {
      returnFocusTo.focus();
    }
    returnFocusTo = null;
  }

  function finish() {
    if (finished) {
      return;
    }
    finished = true;
    endedForm.submit();
  }

  function stay() {
    window
      .fetch(keepaliveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken },
      })
      .then(function (response) {
        if (response.status === 204) {
          requestMade();
          close();
        } else {
          finish();
        }
      })
      .catch(finish);
  }

  function tick() {
    lastRequest = Math.max(lastRequest, sharedLastRequest());
    var idleEnd = lastRequest + idleMs;
    var end = Math.min(idleEnd, absoluteEnd);
    var now = Date.now();
    if (now >= end) {
      finish();
    } else if (now >= end - warningMs) {
      if (!dialog.open) {
        open(absoluteEnd <= idleEnd ? "absolute" : "idle");
      }
    } else if (dialog.open) {
      // Another tab made a request meanwhile.
      close();
    }
  }

  stayButton.addEventListener("click", stay);
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    if (!stayButton.hidden) {
      stay();
    }
  });
  // A request htmx makes for the user renews the session; a poll (hx-trigger="every …",
  // an import's progress) does not: the server saves no session for it.
  document.addEventListener("htmx:afterRequest", function (event) {
    var element = event.detail && event.detail.elt;
    var trigger = (element && element.getAttribute("hx-trigger")) || "";
    if (!/(^|,)\s*every\s/.test(trigger)) {
      requestMade();
    }
  });
  requestMade();
  window.setInterval(tick, 1000);
})();
