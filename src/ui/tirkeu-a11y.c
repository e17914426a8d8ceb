/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-a11y.h"

/**
 * tirkeu_a11y_fix_button_names:
 * @root: a widget
 *
 * GTK 4.8 gives a button with a mnemonic label the accessible name "_Sign In Sign In": its
 * %GTK_ACCESSIBLE_PROPERTY_LABEL (set by gtk_button_set_label() to the raw text, underscore
 * included) followed by the text of its label child, and a screen reader reads all of it.
 * Without the property the name is the child's text alone, as shown. Call it on @root after
 * gtk_widget_init_template() and on a button after each gtk_button_set_label(), before any
 * accessible label set on purpose, which it would remove.
 */
void
tirkeu_a11y_fix_button_names (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  if (GTK_IS_BUTTON (root) && gtk_button_get_use_underline (GTK_BUTTON (root))
      && gtk_button_get_label (GTK_BUTTON (root)) != NULL
      && strchr (gtk_button_get_label (GTK_BUTTON (root)), '_') != NULL)
    gtk_accessible_reset_property (GTK_ACCESSIBLE (root), GTK_ACCESSIBLE_PROPERTY_LABEL);

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    tirkeu_a11y_fix_button_names (child);
}

/**
 * tirkeu_a11y_describe_entry:
 * @entry: an entry with an accessible label of its own (the short name: "VIN")
 * @hint: (nullable): the label under it that explains and validates what is typed
 *
 * GTK 4.8 names a widget with both an accessible label and a mnemonic label by joining the
 * two ("VIN Type, paste or scan the VIN"). The mnemonic label (its Alt key still works) and
 * the hint become the entry's description instead, so a screen reader says the name, then
 * what to type and what is wrong with it.
 */
void
tirkeu_a11y_describe_entry (GtkWidget *entry,
                            GtkWidget *hint)
{
  GList *labels;

  g_return_if_fail (GTK_IS_WIDGET (entry));

  labels = gtk_widget_list_mnemonic_labels (entry);
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  if (labels != NULL && hint != NULL)
    gtk_accessible_update_relation (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                    labels->data, hint, NULL, -1);
  else if (labels != NULL || hint != NULL)
    gtk_accessible_update_relation (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                    labels != NULL ? labels->data : hint, NULL, -1);
  g_list_free (labels);
}
