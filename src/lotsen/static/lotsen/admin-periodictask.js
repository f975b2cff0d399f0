// django-celery-beat's schedule form (admin): under the crontab field, its schedule in
// words. The library's template did this in an inline script, which Lotsen's
// Content-Security-Policy refuses (templates/admin/djcelery/change_periodictask_form.html).
(function () {
  "use strict";
  var script = document.currentScript;
  var data = document.getElementById("readable-crontabs");
  var field = document.querySelector(".field-crontab");
  if (!script || !data || !field) {
    return;
  }
  var readable = JSON.parse(data.textContent);
  var originalHelp = script.dataset.crontabHelp || "";
  var translation = document.querySelector(".field-crontab_translation");
  if (translation) {
    translation.style.display = "none";
  }
  field.addEventListener("change", function () {
    var help = field.querySelector(".help");
    var select = document.getElementById("id_crontab");
    if (!help || !select) {
      return;
    }
    help.textContent = originalHelp;
    help.appendChild(document.createElement("br"));
    help.appendChild(document.createTextNode("Translation: " + (readable[select.value] || "")));
  });
})();
