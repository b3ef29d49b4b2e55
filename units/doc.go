// Package units writes quantities for people, one style per quantity, so
// that every renderer (text, HTML, JSON notes, messages from the core)
// shows the same figure the same way.
//
// The styles:
//
//   - Durations ([Duration], [Seconds]): three significant digits below a
//     minute in the largest unit that keeps a whole part ("850µs",
//     "12.3ms", "2.5s", "59.9s"); whole seconds below an hour ("1m05s",
//     "12m41s", "2m"); whole minutes below a day ("3h05m", "1h"); whole
//     hours above ("2d03h", "30d"). The smaller unit is two digits wide and
//     left out when zero. Rounding that reaches the next unit moves to it:
//     59.99s is "1m", 59m59.6s is "1h".
//   - Percentages ([Percent], of a fraction): two significant digits
//     ("78%", "5.3%", "0.33%", and "0%" below a millionth of a percent);
//     from 90% to 100% the fewest decimals that keep the nines ("99.9%",
//     "99.95%", "98.7%"), never rounding up to "100%"; whole numbers from
//     100% ("250%").
//   - Counts ([Count]): whole, with comma thousands separators ("12,345").
//   - Plain numbers ([Number]): three significant digits below a thousand
//     ("12.3", "0.0123"), whole with separators above ("1,250").
//   - Rates ([Rate]): a plain number of requests per second ("1,250
//     req/s", "0.5 req/s").
//   - Money ([Money]): the currency's symbol or code, thousands separators
//     and the currency's decimals ("$1,234.56", "¥18,500", "€12.00",
//     "1,234.56 CHF").
//   - CPU ([CPU]): a Kubernetes quantity of cores ("250m", "2", "1500m").
//   - Memory ([Bytes]): three significant digits in the largest binary
//     unit ("512Ki", "256Mi", "1.5Gi"), "512B" below a KiB.
//   - Chart ticks ([Compact]): three significant digits with a metric
//     suffix ("950", "1.5k", "2.25M").
//
// Negative values carry a leading minus ("-1,234", "-$12.00", "-2.5s"),
// and a value that rounds to zero never shows one. A NaN or an infinity is
// never printed as such: every function returns [Unknown] for it.
//
// Wire formats are not here: Prometheus durations and numbers
// (slo.PromDuration, slo.PromNumber), an objective as written
// (slo.FormatPercent), memory quantities in manifests
// (rightsize.FormatMemory) and the canonical text of specs (traffic shapes,
// stats thresholds) must read back exactly, and live with their parsers.
package units
