// Start GOV.UK Frontend's components. Pages work without this: it only adds behaviour.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();
