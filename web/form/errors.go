package form

import (
	"slices"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
)

// Error turns a domain error into a form's errors. rename maps a domain
// field path to the form field it belongs to, where they differ.
func Error(err error, rename func(field string) string) templates.FormError {
	field := errs.FieldOf(err)
	msg := errs.MessageOf(err)
	if field == "" {
		return templates.FormError{Summary: msg}
	}
	if rename != nil {
		field = rename(field)
	}
	return templates.FormError{
		Summary: "Please correct the field marked below: " + msg,
		Fields:  map[string]string{field: msg},
	}
}

// ErrorOn is Error for a form that shows the error beside each of fields:
// when it does, the summary points to the field instead of repeating its
// message word for word.
func ErrorOn(err error, rename func(field string) string, fields ...string) templates.FormError {
	fe := Error(err, rename)
	for f := range fe.Fields {
		if slices.Contains(fields, f) {
			fe.Summary = "Please correct the field marked below."
		}
	}
	return fe
}
