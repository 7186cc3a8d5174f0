// Times typed into forms are wall-clock times in Sofia, whatever zone the browser is in: the
// pages show every time in Sofia, so a deadline typed as 20:22 means 20:22 there.

const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Sofia',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** offsetAt is Sofia's offset from UTC, in milliseconds, at the instant ms. */
function offsetAt(ms) {
  const p = Object.fromEntries(parts.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return wall - Math.floor(ms / 1000) * 1000;
}

/** sofiaToISO turns a datetime-local value ("2026-11-28T20:22") read as Sofia time into the
 * UTC instant the API takes ("2026-11-28T18:22:00.000Z"). A value of another form is returned
 * as it is, for the server to say what is wrong with it. */
export function sofiaToISO(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) return value;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] || 0));
  // The offset at the wall time read as UTC is right but for an hour around a change of
  // summer time; a second look at the instant found settles it.
  const first = wall - offsetAt(wall);
  return new Date(wall - offsetAt(first)).toISOString();
}
