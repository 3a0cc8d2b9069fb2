// The provider-neutral engine scenarios (issue 9) run against the Google emulator.
// Microsoft Graph and CalDAV run the same functions with their own harness.
import { accountHealthScenarios } from "../sync/scenarios/account-health";
import { editScenarios } from "../sync/scenarios/edits";
import { google } from "./provider-harness";

accountHealthScenarios(google);
editScenarios(google);
