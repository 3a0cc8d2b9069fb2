// The provider-neutral lifecycle scenarios (issue #17) against the Google emulator.
import { lifecycleScenarios } from "../sync/scenarios/lifecycle";
import { googleLifecycle } from "./provider-harness";

lifecycleScenarios(googleLifecycle);
