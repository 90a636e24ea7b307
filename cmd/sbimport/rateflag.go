package main

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// rateValue is --rate: requests per second, or auto.
type rateValue struct{ o *runOptions }

func (r rateValue) String() string {
	if r.o.autoRate {
		return "auto"
	}
	return strconv.FormatFloat(r.o.rate, 'g', -1, 64)
}

func (r rateValue) Set(s string) error {
	if strings.EqualFold(strings.TrimSpace(s), "auto") {
		r.o.autoRate, r.o.rate = true, 0
		return nil
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return errors.New("give requests per second (e.g. 2), 0 for no limit, or auto")
	}
	r.o.autoRate, r.o.rate = false, v
	return nil
}

func (rateValue) Type() string { return "rate" }
