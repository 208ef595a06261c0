package plan

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/example/private-api/internal/checks"
	"github.com/example/private-api/internal/cost"
)

// Verdicts writes the check table (one row per check), then each failing finding with its rule and
// each waived one, then the waivers in scope for the stack with their reasons.
func Verdicts(w io.Writer, rep checks.Report) {
	counts := map[checks.Status]int{}
	for _, r := range rep.Results {
		counts[r.Status()]++
	}
	fmt.Fprintf(w, "Checks on stack %s: %d checks, %d pass, %d waived, %d n/a, %d unknown until deploy, %d FAIL\n", rep.Stack, len(rep.Results),
		counts[checks.Pass], counts[checks.Waived], counts[checks.NotApplicable], counts[checks.Unknown], counts[checks.Fail])
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  check\tverdict\tresources\tIDs")
	for _, r := range rep.Results {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", r.Check.ID(), strings.ToUpper(string(r.Status())), resources(r), strings.Join(r.Check.IDs, ", "))
	}
	tw.Flush()
	for _, status := range []checks.Status{checks.Fail, checks.Unknown, checks.Waived} {
		first := true
		for _, r := range rep.Results {
			for _, f := range r.Findings {
				if f.Status != status {
					continue
				}
				if first {
					fmt.Fprintf(w, "\n%s findings:\n", strings.ToUpper(string(status)))
					first = false
				}
				fmt.Fprintf(w, "  %s on %s: %s\n", r.Check.ID(), f.Resource, f.Detail)
				if status == checks.Fail {
					fmt.Fprintf(w, "    rule: %s\n", r.Check.Rule)
				}
			}
		}
	}
	if len(rep.Waivers) > 0 {
		fmt.Fprintf(w, "\nWaivers in scope for %s:\n", rep.Stack)
		for _, aw := range rep.Waivers {
			scope := aw.Resource
			if scope == "" {
				scope = "every resource"
			}
			source, unused := "internal/checks/waivers.go", ""
			if aw.FromConfig {
				source = "private-api:waivers"
				if aw.Covered == 0 {
					unused = " (covers nothing in this stack: remove it)"
				}
			} else if aw.Covered == 0 {
				continue // the code's waivers hold for every stack; this one has nothing to waive
			}
			fmt.Fprintf(w, "  %s on %s, %d finding(s)%s [%s]: %s\n", aw.CheckID, scope, aw.Covered, unused, source, aw.Reason)
		}
	}
}

// resources names the resources behind a verdict: the failing or waived ones, else a count.
func resources(r checks.Result) string {
	status := r.Status()
	switch status {
	case checks.NotApplicable:
		short := make([]string, len(r.Check.Subjects))
		for i, s := range r.Check.Subjects {
			short[i] = s[strings.LastIndex(s, ":")+1:]
		}
		return "no " + strings.Join(short, "/") + " in the stack"
	case checks.Pass:
		return fmt.Sprintf("%d resource(s)", len(r.Findings))
	}
	var names []string
	for _, f := range r.Findings {
		if f.Status == status {
			names = append(names, f.Resource)
		}
	}
	return strings.Join(names, ", ")
}

// Costs writes the idle table, the per-million table with its assumptions, and the DNS modes.
func Costs(w io.Writer, est cost.Estimate, own string, modes []cost.DNSMode) {
	fmt.Fprintf(w, "Monthly cost estimate, %s, list prices from internal/cost/prices.json (? = price to verify on its source page)\n", est.Where())
	fmt.Fprintln(w, "Idle (billed whether or not the API is called):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  resource\titem\tquantity\tunit price\t USD/month")
	for _, l := range est.Idle {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%10.2f\n", l.Resource, l.Item, quantity(l.Quantity), unitPrice(l.Price), l.USD)
	}
	fmt.Fprintf(tw, "  total\t\t\t\t%10.2f\n", est.IdleTotal())
	tw.Flush()
	if len(est.PerMillion) > 0 {
		fmt.Fprintln(w, "\nPer million API requests:")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  item\tquantity\tunit price\t     USD")
		for _, l := range est.PerMillion {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%8.2f\n", l.Item, quantity(l.Quantity), unitPrice(l.Price), l.USD)
		}
		fmt.Fprintf(tw, "  total per million requests\t\t\t%8.2f\n", est.PerMillionTotal())
		tw.Flush()
		fmt.Fprintln(w, "  assuming:")
		for _, a := range est.Assumptions {
			fmt.Fprintf(w, "    - %s\n", a)
		}
	}
	for _, m := range est.Missing {
		fmt.Fprintf(w, "  NO PRICE for %s: counted as $0, add it to internal/cost/prices.json\n", m)
	}
	if len(modes) == 0 {
		return
	}
	fmt.Fprintln(w, "\nDNS modes for this stack (same config, dns.mode replaced; * = this stack's mode):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  mode\tDNS resources\tDNS idle USD/month\tstack idle USD/month\tUSD per million lookups")
	for _, m := range modes {
		mark := ""
		if m.Mode == own {
			mark = " *"
		}
		fmt.Fprintf(tw, "  %s%s\t%s\t%.2f\t%.2f\t%.2f\n", m.Mode, mark, m.Resources, m.DNSIdle, m.StackIdle, m.PerMillionQueries)
	}
	tw.Flush()
}

func unitPrice(p cost.Price) string {
	if p.Unit == "" {
		return "no price"
	}
	mark := ""
	if !p.Verified {
		mark = " ?"
	}
	return fmt.Sprintf("$%s/%s%s", trim(p.USD), p.Unit, mark)
}

// trim prints a price without trailing zeros, to at most 10 decimals (Lambda's GB-s price).
func trim(f float64) string {
	return strconv.FormatFloat(math.Round(f*1e10)/1e10, 'f', -1, 64)
}

func quantity(f float64) string {
	return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64)
}
