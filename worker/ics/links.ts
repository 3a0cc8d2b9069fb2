// "Add to calendar" links: a Google Calendar event template and an Outlook on
// the web compose deeplink, plus our own .ics download. Both providers take
// UTC times in the URL, so no zone maths is needed here.
import { appointmentUrl, summaryOf, type IcsAppointment, type IcsClinic, type Privacy } from "./render";

export interface AddLinks {
  ics: string;
  google: string;
  outlook: string;
}

const googleTime = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

export function addToCalendarLinks(o: { clinic: IcsClinic; appointment: IcsAppointment; privacy: Privacy; appUrl: string }): AddLinks {
  const a = o.appointment;
  const base = o.appUrl.replace(/\/+$/, "");
  const title = `${summaryOf(a, o.privacy)} - ${o.clinic.name}`;
  const details = `${o.clinic.name}\n${appointmentUrl(base, a.id)}`;
  const google = new URL("https://calendar.google.com/calendar/render");
  google.searchParams.set("action", "TEMPLATE");
  google.searchParams.set("text", title);
  google.searchParams.set("dates", `${googleTime(a.startMs)}/${googleTime(a.endMs)}`);
  google.searchParams.set("details", details);
  if (o.clinic.address) google.searchParams.set("location", o.clinic.address);
  google.searchParams.set("ctz", o.clinic.timeZone);
  const outlook = new URL("https://outlook.office.com/calendar/0/deeplink/compose");
  outlook.searchParams.set("path", "/calendar/action/compose");
  outlook.searchParams.set("rru", "addevent");
  outlook.searchParams.set("subject", title);
  outlook.searchParams.set("startdt", new Date(a.startMs).toISOString());
  outlook.searchParams.set("enddt", new Date(a.endMs).toISOString());
  outlook.searchParams.set("body", details);
  if (o.clinic.address) outlook.searchParams.set("location", o.clinic.address);
  const ics = `${base}/api/appointments/${a.id}/ical?privacy=${o.privacy}`;
  return { ics, google: google.toString(), outlook: outlook.toString() };
}
