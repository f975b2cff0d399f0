// Starts GOV.UK Frontend's components. The module's address comes from the script tag
// (data-govuk-frontend) so that it is the hashed file collectstatic wrote.
const tag = document.querySelector("script[data-govuk-frontend]");
const { initAll } = await import(tag.dataset.govukFrontend);
initAll();
