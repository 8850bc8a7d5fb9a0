// Under a form, above its buttons: the form's own error (one that is no
// field's), or after a refused save the reminder that fields are marked.
export function FormProblems(props: { errors: Record<string, string | undefined>; submitted: boolean }) {
  const own = props.errors['(form)'];
  if (!own && !(props.submitted && Object.keys(props.errors).length > 0)) return null;
  return (
    <p className="form-error" role="alert">
      {own || 'Fix the fields marked above, then save again.'}
    </p>
  );
}
