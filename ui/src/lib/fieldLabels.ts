/** GHL's contact, note and task field names as people read them. */
const LABELS: Record<string, string> = {
  firstName: "First name",
  lastName: "Last name",
  name: "Name",
  email: "Email",
  phone: "Phone",
  companyName: "Company",
  address1: "Address",
  city: "City",
  state: "State",
  postalCode: "Postal code",
  country: "Country",
  website: "Website",
  timezone: "Time zone",
  dateOfBirth: "Date of birth",
  source: "Source",
  assignedTo: "Assigned to",
  dnd: "Do not disturb",
  tags: "Tags",
  customFields: "Custom fields",
  body: "Text",
  title: "Title",
  dueDate: "Due date",
  completed: "Done",
};

/** A field's label: a known name, or the raw name split at its capitals. */
export function fieldLabel(field: string): string {
  const known = LABELS[field];
  if (known) return known;
  const words = field.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
