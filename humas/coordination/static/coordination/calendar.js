/* The calendar's month and week views (humas/coordination/templates/coordination/grid.html).
 *
 * FullCalendar runs in UTC and the server sends each entry's wall-clock time in the office's zone
 * without an offset: an entry at 09:00 WIB is drawn at 09:00 whatever the browser's own zone.
 * The same holds the other way: the UTC fields of a date FullCalendar hands back (a drop, a click
 * on an empty slot) are the office's wall-clock time, sent back as YYYY-MM-DDTHH:MM.
 */
(function () {
  "use strict";

  var root = document.getElementById("calendar");
  if (!root || !window.FullCalendar) {
    return;
  }
  var data = root.dataset;
  var offsetMinutes = parseInt(data.offsetMinutes, 10) || 0;
  var offsetMs = offsetMinutes * 60000;
  // "+07:00": the office's offset, for the machine-readable time of each entry.
  var offsetText = (offsetMinutes < 0 ? "-" : "+") + pad(Math.floor(Math.abs(offsetMinutes) / 60)) + ":" + pad(Math.abs(offsetMinutes) % 60);
  var statusBox = document.getElementById("calendar-message");
  var alertBox = document.getElementById("calendar-alert");
  var week = data.view === "week";

  function say(text) {
    alertBox.textContent = "";
    statusBox.textContent = text || "";
  }

  function warn(text) {
    statusBox.textContent = "";
    alertBox.textContent = text || "";
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function day(date) {
    return date.getUTCFullYear() + "-" + pad(date.getUTCMonth() + 1) + "-" + pad(date.getUTCDate());
  }

  // A FullCalendar date as the office-local wall time it stands for.
  function wall(date) {
    return day(date) + "T" + pad(date.getUTCHours()) + ":" + pad(date.getUTCMinutes());
  }

  // Now, as a date whose UTC fields are the office's wall-clock time (no daylight saving in WIB,
  // WITA or WIT: the offset the page was given holds all year).
  function officeNow() {
    return new Date(Date.now() + offsetMs);
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function answer(response) {
    return response.json().then(
      function (body) { return { status: response.status, body: body || {} }; },
      function () { return { status: response.status, body: {} }; }
    );
  }

  function loadEvents(info, success, failure) {
    var params = new URLSearchParams(data.query || "");
    params.set("start", wall(info.start));
    params.set("end", wall(info.end));
    fetch(data.eventsUrl + "?" + params.toString(), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(answer)
      .then(function (result) {
        if (result.status !== 200 || !result.body.ok) {
          warn(result.body.message || data.textLoadFailed);
          failure(new Error("calendar data " + result.status));
          return;
        }
        if (result.body.truncated) {
          say(result.body.message);
        }
        showWindows(result.body.windows || []);
        success(result.body.events.concat((result.body.windows || []).map(shade)));
      })
      .catch(function (error) {
        warn(data.textLoadFailed);
        failure(error);
      });
  }

  function nextDay(isoDay) {
    var next = new Date(isoDay + "T00:00:00Z");
    next.setUTCDate(next.getUTCDate() + 1);
    return day(next);
  }

  // A blackout window as a shaded background: its hours in the week view, the days it touches
  // in the month view (FullCalendar draws only all-day backgrounds there).
  function shade(window) {
    var event = { title: window.title, display: "background", classNames: ["cal-blackout"] };
    if (week) {
      event.start = window.start;
      event.end = window.end;
    } else {
      event.allDay = true;
      event.start = window.start.slice(0, 10);
      event.end = window.end.slice(11) === "00:00:00" ? window.end.slice(0, 10) : nextDay(window.end.slice(0, 10));
    }
    return event;
  }

  // The blackout windows of the range, in words above the grid (the grid shades them).
  function showWindows(windows) {
    var box = document.getElementById("calendar-windows");
    var list = box.querySelector("ul");
    list.textContent = "";
    windows.forEach(function (window) {
      list.appendChild(element("li", "", window.text));
    });
    box.hidden = windows.length === 0;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  // What an entry shows in its cell: time, status in words (never colour alone), title, and its
  // channels (short marks; the full names for screen readers), office and notes.
  function eventContent(arg) {
    if (arg.event.display === "background") {
      return { domNodes: [element("span", "cal-blackout-title", arg.event.title)] };
    }
    var props = arg.event.extendedProps;
    var body = element("div", "cal-event-body");
    var head = element("div", "cal-event-head");
    var time = element("time", "cal-event-time", props.clock);
    time.setAttribute("datetime", wall(arg.event.start) + offsetText);
    head.appendChild(time);
    var badge = element("span", "cal-badge cal-" + props.category);
    badge.appendChild(element("span", "cal-badge-text", props.categoryLabel));
    head.appendChild(badge);
    body.appendChild(head);
    body.appendChild(element("span", "cal-event-title", arg.event.title));
    var facts = [];
    if (props.office) {
      facts.push(props.office);
    }
    if (props.officeTime) {
      facts.push(props.officeTime + " " + data.textOfficeTime);
    }
    if (props.channels.length) {
      var marks = element("span", "cal-event-channels");
      props.channels.forEach(function (channel) {
        var mark = element("span", "cal-channel", channel.mark);
        mark.setAttribute("aria-hidden", "true");
        mark.title = channel.name;
        marks.appendChild(mark);
      });
      marks.appendChild(
        element("span", "visually-hidden", props.channels.map(function (c) { return c.name; }).join(", "))
      );
      body.appendChild(marks);
    }
    if (facts.length) {
      body.appendChild(element("span", "cal-event-office", facts.join(" · ")));
    }
    if (props.note) {
      body.appendChild(element("span", "cal-event-note", props.note));
    }
    return { domNodes: [body] };
  }

  function moveEntry(info) {
    var props = info.event.extendedProps;
    var form = new URLSearchParams();
    form.set("kind", props.kind);
    form.set("id", String(props.pk));
    form.set("waktu", wall(info.event.start));
    say(data.textMoving);
    fetch(data.moveUrl, {
      method: "POST",
      body: form,
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
    })
      .then(answer)
      .then(function (result) {
        if (result.status === 200 && result.body.ok) {
          say(result.body.message);
          // The entry's status may have changed with its time (a post sent back to review).
          calendar.refetchEvents();
          return;
        }
        info.revert();
        warn(result.body.message || data.textMoveFailed);
      })
      .catch(function () {
        info.revert();
        warn(data.textMoveFailed);
      });
  }

  // A click on an empty slot opens the compose page at that time: in the week view the slot's
  // time; in the month view 09:00 of that day (today: the next full hour when 09:00 has passed).
  function compose(info) {
    var start = info.date;
    var now = officeNow();
    if (info.allDay) {
      start = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate(), 9, 0));
      if (day(start) === day(now) && start <= now) {
        start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), now.getUTCHours() + 1, 0));
      }
    }
    if (start <= now) {
      warn(data.textPast);
      return;
    }
    window.location.assign(data.composeUrl + "?jadwal=" + encodeURIComponent(wall(start)));
  }

  // Keep the place when switching views or reloading: the other views' links and this page's
  // address follow the month (or week) shown.
  function remember(info) {
    var middle = new Date((info.view.currentStart.getTime() + info.view.currentEnd.getTime()) / 2);
    var month = day(middle).slice(0, 7);
    document.querySelectorAll("a[data-view-link]").forEach(function (link) {
      var url = new URL(link.href, window.location.href);
      url.searchParams.set("bulan", month);
      url.searchParams.delete("tanggal");
      if (link.dataset.viewLink === "week") {
        url.searchParams.set("tanggal", day(info.view.currentStart));
      }
      link.href = url.pathname + url.search;
    });
    var here = new URL(window.location.href);
    here.searchParams.set("bulan", month);
    if (week) {
      here.searchParams.set("tanggal", day(info.view.currentStart));
    } else {
      here.searchParams.delete("tanggal");
    }
    window.history.replaceState(null, "", here.pathname + here.search);
  }

  var narrow = window.matchMedia("(max-width: 40rem)").matches;
  var options = {
    timeZone: "UTC",
    now: officeNow,
    locale: data.locale === "en" ? "en" : "id",
    initialView: week ? "timeGridWeek" : "dayGridMonth",
    initialDate: data.initialDate,
    firstDay: 1,
    headerToolbar: { left: "prev,next today", center: "title", right: "" },
    // Text arrows: FullCalendar's icon buttons hold an image role without a name.
    buttonIcons: false,
    buttonText: { prev: "‹", next: "›", today: data.textToday },
    // FullCalendar's own hints are English whatever the locale: the page gives them in its language.
    buttonHints: {
      prev: week ? data.textPreviousWeek : data.textPreviousMonth,
      next: week ? data.textNextWeek : data.textNextMonth,
      // The same words as the button: a name that differs from what is seen confuses voice control.
      today: data.textToday,
    },
    // "+2 lainnya", or "+2" in a phone's narrow cell (the hint says the rest).
    moreLinkText: function (count) {
      return narrow ? "+" + count : "+" + count + " " + data.textMore;
    },
    // "+2 lainnya" opens a popover and says so (aria-expanded): a button, not a link without href.
    moreLinkDidMount: function (arg) {
      arg.el.setAttribute("role", "button");
    },
    moreLinkHint: function (count) {
      return data.textMoreHint.replace("{n}", String(count));
    },
    closeHint: data.textClose,
    timeHint: data.textTime,
    eventHint: data.textEntry,
    viewHint: "$0",
    navLinkHint: "$0",
    // The whole day on the page, no scrolling box inside it (one the keyboard could not reach
    // without breaking FullCalendar's grid roles); the page itself scrolls.
    height: "auto",
    dayMaxEvents: narrow ? 2 : 4,
    allDaySlot: false,
    slotDuration: "00:30:00",
    snapDuration: "00:15:00",
    // An entry is an instant; an hour's height leaves room for its title in the week view.
    defaultTimedEventDuration: "01:00:00",
    nowIndicator: true,
    eventDisplay: "block",
    eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    dayHeaderFormat: week ? { weekday: "short", day: "numeric", month: "numeric" } : { weekday: "short" },
    editable: true,
    eventDurationEditable: false,
    eventStartEditable: true,
    longPressDelay: 400,
    events: loadEvents,
    eventContent: eventContent,
    eventDrop: moveEntry,
    datesSet: remember,
    // A phone's week: the weekday above its date ("Kam" / "13"), each column too narrow for both.
    dayHeaderContent: function (arg) {
      if (!(week && narrow)) {
        return arg.text;
      }
      var head = element("span", "cal-day-head");
      head.appendChild(element("span", "", arg.date.toLocaleDateString(data.locale, { weekday: "short", timeZone: "UTC" })));
      head.appendChild(element("span", "", String(arg.date.getUTCDate())));
      return { domNodes: [head] };
    },
    // FullCalendar names a day's cell by its date alone although the cell also holds the day's
    // entries: a name that leaves out what the cell shows. Without it the cell is named by all of
    // its content (its date link, "7 Desember 2026", first).
    dayCellDidMount: function (arg) {
      arg.el.removeAttribute("aria-labelledby");
    },
    loading: function (busy) {
      root.setAttribute("aria-busy", busy ? "true" : "false");
      if (busy && !statusBox.textContent && !alertBox.textContent) {
        say(data.textLoading);
      } else if (!busy && statusBox.textContent === data.textLoading) {
        say("");
      }
    },
  };
  if (data.composeUrl) {
    options.dateClick = compose;  // only for people who may write posts here
  }
  var calendar = new window.FullCalendar.Calendar(root, options);
  calendar.render();
  // The arrows' names are their hints ("Bulan sebelumnya"), not the arrow characters.
  root.querySelectorAll(".fc-prev-button, .fc-next-button").forEach(function (button) {
    button.setAttribute("aria-label", button.getAttribute("title"));
  });
})();
