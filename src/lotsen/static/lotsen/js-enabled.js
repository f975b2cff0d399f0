// GOV.UK Frontend's progressive enhancement classes, set before the page is drawn. A file
// rather than an inline script: Lotsen's Content-Security-Policy allows no inline script.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
