// The provider-neutral lifecycle scenarios (issue #17) against a real Radicale.
import { lifecycleScenarios } from "../sync/scenarios/lifecycle";
import { caldavLifecycle } from "./provider-harness";

lifecycleScenarios(caldavLifecycle);
