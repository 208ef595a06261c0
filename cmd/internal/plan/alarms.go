package plan

import (
	"fmt"
	"strings"

	"github.com/example/private-api/internal/cost"
	"github.com/example/private-api/internal/mockengine"
)

// AlarmLines says in one line what pages whom: how many alarms on how many metrics, the topic they
// notify (its encryption, its email subscriptions), the dashboard, and what they cost a month.
func AlarmLines(in SectionInput) []string {
	e := in.Engine
	alarms := e.OfType(mockengine.TypeMetricAlarm)
	if len(alarms) == 0 {
		return nil
	}
	var metrics float64
	for _, a := range alarms {
		metrics += cost.AlarmMetrics(a)
	}
	var topics []string
	for _, t := range e.OfType(mockengine.TypeSNSTopic) {
		encryption := "unencrypted"
		if keys := e.RefsOfType(t.Inputs["kmsMasterKeyId"], mockengine.TypeKMSKey); len(keys) > 0 {
			encryption = "encrypted with " + keys[0].Name
		}
		emails := 0
		for _, s := range e.OfType(mockengine.TypeSNSSubscription) {
			if refs := e.RefsOfType(s.Inputs["topic"], mockengine.TypeSNSTopic); len(refs) > 0 && refs[0].Name == t.Name && s.Inputs["protocol"] == "email" {
				emails++
			}
		}
		subscribed := fmt.Sprintf("%d email subscription(s)", emails)
		if emails == 0 {
			subscribed = "no email subscribed: set alarms.emails"
		}
		topics = append(topics, fmt.Sprintf("topic %s (%s, %s)", displayName(t), encryption, subscribed))
	}
	line := fmt.Sprintf("%d alarms on %g metrics -> %s", len(alarms), metrics, strings.Join(topics, ", "))
	for _, d := range e.OfType(mockengine.TypeDashboard) {
		line += fmt.Sprintf("; dashboard %v", d.Inputs["dashboardName"])
	}
	if p, err := cost.ForRegion(e.Region()); err == nil {
		line += fmt.Sprintf("; $%.2f a month", cost.Of(e, p).Monitoring())
	}
	return []string{line}
}

// displayName is a resource's AWS name when the program sets one, else its name in the stack.
func displayName(r mockengine.Resource) string {
	if n, ok := r.Inputs["name"].(string); ok && n != "" && n != mockengine.Unknown {
		return n
	}
	return r.Name
}
