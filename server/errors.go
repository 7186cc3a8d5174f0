package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/perushtitsa/council/server/council"
)

// describe turns a domain error into one line a person at a terminal can act on.
func describe(err error) error {
	ce, ok := council.AsError(err)
	if !ok {
		return err
	}
	if ce.Code != council.CodeValidation || len(ce.Fields) == 0 {
		return fmt.Errorf("%s", ce.Message)
	}
	var parts []string
	for f, p := range ce.Fields {
		parts = append(parts, f+" "+p)
	}
	sort.Strings(parts)
	return fmt.Errorf("%s", strings.Join(parts, "; "))
}
