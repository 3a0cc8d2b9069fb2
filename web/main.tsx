import { render } from "solid-js/web";
render(() => <p>ACMS Calendar</p>, document.getElementById("root")!);
