package model

// The types that hold Stripe's sensitive verification results are written
// here rather than generated (gqlgen.yml binds them), for one extra field:
// SensitiveErr, why the @sensitive fields could not be read. idgraph fetches
// those fields in a Stripe call of their own; when Stripe refuses it, only
// they fail, and the @sensitive directive reads this error to say why.

// VerificationSessionVerifiedOutputs is the user's verified data.
type VerificationSessionVerifiedOutputs struct {
	Address              *Address      `json:"address,omitempty"`
	Dob                  *Date         `json:"dob,omitempty"`
	Email                *string       `json:"email,omitempty"`
	FirstName            *string       `json:"firstName,omitempty"`
	LastName             *string       `json:"lastName,omitempty"`
	IDNumber             *string       `json:"idNumber,omitempty"`
	IDNumberType         *IDNumberType `json:"idNumberType,omitempty"`
	Phone                *string       `json:"phone,omitempty"`
	Sex                  *Sex          `json:"sex,omitempty"`
	UnparsedPlaceOfBirth *string       `json:"unparsedPlaceOfBirth,omitempty"`
	UnparsedSex          *string       `json:"unparsedSex,omitempty"`
	// SensitiveErr is why the sensitive fields are missing, if they are.
	SensitiveErr error `json:"-"`
}

// DocumentCheck is the result of a document check.
type DocumentCheck struct {
	Status         CheckStatus   `json:"status"`
	Error          *CheckError   `json:"error,omitempty"`
	Type           *DocumentType `json:"type,omitempty"`
	IssuingCountry *string       `json:"issuingCountry,omitempty"`
	FirstName      *string       `json:"firstName,omitempty"`
	LastName       *string       `json:"lastName,omitempty"`
	Address        *Address      `json:"address,omitempty"`
	Dob            *Date         `json:"dob,omitempty"`
	IssuedDate     *Date         `json:"issuedDate,omitempty"`
	ExpirationDate *Date         `json:"expirationDate,omitempty"`
	Number         *string       `json:"number,omitempty"`
	Sex            *Sex          `json:"sex,omitempty"`
	Files          []string      `json:"files,omitempty"`
	// SensitiveErr is why the sensitive fields are missing, if they are.
	SensitiveErr error `json:"-"`
}

// IDNumberCheck is the result of an ID number check.
type IDNumberCheck struct {
	Status       CheckStatus   `json:"status"`
	Error        *CheckError   `json:"error,omitempty"`
	FirstName    *string       `json:"firstName,omitempty"`
	LastName     *string       `json:"lastName,omitempty"`
	Dob          *Date         `json:"dob,omitempty"`
	IDNumber     *string       `json:"idNumber,omitempty"`
	IDNumberType *IDNumberType `json:"idNumberType,omitempty"`
	// SensitiveErr is why the sensitive fields are missing, if they are.
	SensitiveErr error `json:"-"`
}

// SensitiveError implements the @sensitive directive's reading of a parent.
func (v *VerificationSessionVerifiedOutputs) SensitiveError() error { return v.SensitiveErr }

// SensitiveError implements the @sensitive directive's reading of a parent.
func (d *DocumentCheck) SensitiveError() error { return d.SensitiveErr }

// SensitiveError implements the @sensitive directive's reading of a parent.
func (n *IDNumberCheck) SensitiveError() error { return n.SensitiveErr }
