// The operations pages, in menu order: one import and one entry per page. A page module
// exports {id, title_en, title_zh, permission, render(root, ctx)}; the menu shows it to a
// role holding `permission` (and, if the page lists `roles`, one of those).

import dashboard from "./dashboard.js";
import reports from "./reports.js";
import targets from "./targets.js";
import inspections from "./inspections.js";
import investigation from "./investigation.js";
import followup from "./followup.js";
import survey from "./survey.js";
import organisations from "./organisations.js";
import school from "./school.js";
import meetings from "./meetings.js";
import coverage from "./coverage.js";

export default [
  dashboard,
  reports,
  targets,
  inspections,
  investigation,
  followup,
  survey,
  organisations,
  school,
  meetings,
  coverage,
];
