package pipeline

import "errors"

// InputError is bad input: a file that does not parse, a value out of
// range, a profile that cannot be used. The command line reports it with
// exit status 2. Hint, when set, says what to do about it.
type InputError struct {
	Err  error
	Hint string
}

func (e *InputError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

// inputError wraps err as an *InputError with a hint.
func inputError(err error, hint string) error {
	if err == nil {
		return nil
	}
	return &InputError{Err: err, Hint: hint}
}

// IsInputError reports whether err is, or wraps, an *InputError.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}
