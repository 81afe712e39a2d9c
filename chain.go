package kume

// Role is the part a sector plays in a value chain.
type Role string

// Value-chain roles.
const (
	RoleCore         Role = "core"
	RoleSupplier     Role = "supplier"
	RoleService      Role = "service"
	RoleDistribution Role = "distribution"
)

// Roles lists the value-chain roles in a stable order.
func Roles() []Role { return []Role{RoleCore, RoleSupplier, RoleService, RoleDistribution} }

// ValueChain maps a chain (e.g. textiles & apparel) to NACE codes by role. A code
// may be given at any level (division, group or class) and covers everything below.
type ValueChain struct {
	ID    string            `json:"id" yaml:"id"`       // e.g. "textiles"
	Name  map[string]string `json:"name" yaml:"name"`   // by language: "en", "tr"
	Roles map[Role][]string `json:"roles" yaml:"roles"` // NACE codes by role
	// Source cites a published grouping the chain follows, if any.
	Source string `json:"source,omitempty" yaml:"source,omitempty"`
}
