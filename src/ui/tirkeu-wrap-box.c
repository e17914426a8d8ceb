/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-wrap-box.h"

/**
 * TirkeuWrapBox:
 *
 * Children side by side at their natural widths, wrapping onto the next line where the
 * width ends, as words do: the requests list's filters, whose Kazakh names are long. (A
 * #GtkFlowBox lines its children up in columns and, not homogeneous, gave a filter less
 * than its minimum width; libadwaita's wrap box is newer than 1.2.)
 */

#define SPACING 6

struct _TirkeuWrapBox
{
  GtkWidget parent_instance;
};

G_DEFINE_FINAL_TYPE (TirkeuWrapBox, tirkeu_wrap_box, GTK_TYPE_WIDGET)

/* The width a child takes in a line @width wide: its natural one, not over the line. */
static int
child_width (GtkWidget *child,
             int        width)
{
  int minimum, natural;

  gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural, NULL, NULL);
  return width < 0 ? natural : MAX (minimum, MIN (natural, width));
}

static int
child_height (GtkWidget *child,
              int        width)
{
  int natural;

  gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, width, NULL, &natural, NULL, NULL);
  return natural;
}

/* Lays the children out in lines of @width (unbounded when -1): allocates them when
 * @allocate, and returns the height it takes. */
static int
lay_out (GtkWidget *widget,
         int        width,
         gboolean   allocate)
{
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  GtkWidget *line_start = gtk_widget_get_first_child (widget);
  int y = 0;

  while (line_start != NULL)
    {
      GtkWidget *child = line_start;
      GtkWidget *line_end;
      int x = 0;
      int line_height = 0;

      /* As many as fit, and at least one. */
      for (; child != NULL; child = gtk_widget_get_next_sibling (child))
        {
          int w;

          if (!gtk_widget_should_layout (child))
            continue;
          w = child_width (child, width);
          if (x > 0 && width >= 0 && x + SPACING + w > width)
            break;
          x += (x > 0 ? SPACING : 0) + w;
          line_height = MAX (line_height, child_height (child, w));
        }
      line_end = child;

      if (allocate)
        {
          x = 0;
          for (child = line_start; child != line_end; child = gtk_widget_get_next_sibling (child))
            {
              int w;

              if (!gtk_widget_should_layout (child))
                continue;
              w = child_width (child, width);
              gtk_widget_size_allocate (child,
                                        &(GtkAllocation) { rtl ? width - x - w : x, y, w,
                                                           line_height },
                                        -1);
              x += w + SPACING;
            }
        }

      if (line_height > 0)
        y += (y > 0 ? SPACING : 0) + line_height;
      line_start = line_end;
    }

  return y;
}

static GtkSizeRequestMode
tirkeu_wrap_box_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
tirkeu_wrap_box_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int widest = 0;
      int all = 0;
      guint n = 0;

      /* At least the widest child; at best all of them in one line. */
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        {
          int child_minimum, child_natural;

          if (!gtk_widget_should_layout (child))
            continue;
          gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &child_minimum,
                              &child_natural, NULL, NULL);
          widest = MAX (widest, child_minimum);
          all += child_natural;
          n++;
        }
      *minimum = widest;
      *natural = n > 0 ? all + SPACING * (int) (n - 1) : 0;
    }
  else
    {
      *minimum = *natural = lay_out (widget, for_size, FALSE);
    }
}

static void
tirkeu_wrap_box_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  lay_out (widget, width, TRUE);
}

static void
tirkeu_wrap_box_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (tirkeu_wrap_box_parent_class)->dispose (object);
}

static void
tirkeu_wrap_box_class_init (TirkeuWrapBoxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tirkeu_wrap_box_dispose;
  widget_class->get_request_mode = tirkeu_wrap_box_get_request_mode;
  widget_class->measure = tirkeu_wrap_box_measure;
  widget_class->size_allocate = tirkeu_wrap_box_size_allocate;
  gtk_widget_class_set_css_name (widget_class, "wrapbox");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tirkeu_wrap_box_init (TirkeuWrapBox *self)
{
}

/**
 * tirkeu_wrap_box_new:
 *
 * Returns: (transfer floating): a new #TirkeuWrapBox
 */
GtkWidget *
tirkeu_wrap_box_new (void)
{
  return g_object_new (TIRKEU_TYPE_WRAP_BOX, NULL);
}

/**
 * tirkeu_wrap_box_append:
 * @self: a #TirkeuWrapBox
 * @child: a widget with no parent
 *
 * Adds @child after the others (in the focus order too).
 */
void
tirkeu_wrap_box_append (TirkeuWrapBox *self,
                        GtkWidget     *child)
{
  g_return_if_fail (TIRKEU_IS_WRAP_BOX (self));
  g_return_if_fail (GTK_IS_WIDGET (child));
  g_return_if_fail (gtk_widget_get_parent (child) == NULL);

  gtk_widget_insert_before (child, GTK_WIDGET (self), NULL);
}
