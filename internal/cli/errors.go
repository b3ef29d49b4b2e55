package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/headroom-sre/headroom/pipeline"
)

// Exit codes. They are part of the CLI's contract: CI pipelines gate on a
// failed verdict (3) separately from a broken invocation (2) or a crash (1).
const (
	ExitOK      = 0 // success
	ExitError   = 1 // the command failed
	ExitUsage   = 2 // bad flags, arguments or input files
	ExitVerdict = 3 // the command ran, and an SLO or threshold was missed
)

// Error is an error with the exit code it maps to and an optional hint for
// the person reading it. Commands return it; Run prints it once.
type Error struct {
	Code int    // one of the Exit* constants
	Err  error  // what went wrong
	Hint string // what to try next; empty when there is nothing useful to say
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// usageErrorf reports bad input from the user (exit 2).
func usageErrorf(hint, format string, args ...any) error {
	return &Error{Code: ExitUsage, Err: fmt.Errorf(format, args...), Hint: hint}
}

// usageError wraps err as bad input from the user (exit 2).
func usageError(err error, hint string) error {
	if err == nil {
		return nil
	}
	return &Error{Code: ExitUsage, Err: err, Hint: hint}
}

// withHint attaches a hint to a runtime failure (exit 1).
func withHint(err error, hint string) error {
	if err == nil {
		return nil
	}
	return &Error{Code: ExitError, Err: err, Hint: hint}
}

// verdictError reports that the command worked and the verdict is negative
// (exit 3): an SLO was missed or a threshold broken. Results are printed
// before it is returned.
func verdictError(format string, args ...any) error {
	return &Error{Code: ExitVerdict, Err: fmt.Errorf(format, args...)}
}

// exitCode maps any error returned by a command to an exit code.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var ie *pipeline.InputError
	if errors.As(err, &ie) || isCobraUsage(err) {
		return ExitUsage
	}
	return ExitError
}

func hintOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Hint
	}
	var ie *pipeline.InputError
	if errors.As(err, &ie) {
		return ie.Hint
	}
	if isCobraUsage(err) {
		return "run with --help to see the accepted flags and arguments"
	}
	return ""
}

// isCobraUsage recognises the argument and flag errors cobra produces itself.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "invalid argument",
		"accepts ", "requires at least", "requires at most", "flag needs an argument", "required flag",
		"if any flags in the group", "bad flag syntax"} {
		if strings.HasPrefix(msg, p) || strings.Contains(msg, ": "+p) {
			return true
		}
	}
	return false
}
