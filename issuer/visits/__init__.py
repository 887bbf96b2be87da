"""Home visits (入户核实) after issuance and changes, and the cases a failed visit opens."""
