// The provider-neutral lifecycle scenarios (issue #17) against the Graph emulator.
import { lifecycleScenarios } from "../sync/scenarios/lifecycle";
import { microsoftLifecycle } from "./provider-harness";

lifecycleScenarios(microsoftLifecycle);
