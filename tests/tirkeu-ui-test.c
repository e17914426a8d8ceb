/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers for the window tests: run the real application under Xvfb, wait until a window
 * has really been drawn, save what it shows. */
#include "config.h"

#include "tirkeu-ui-test.h"

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

static char *system_data_dirs;

/**
 * tirkeu_ui_test_init:
 *
 * g_test_init() with %G_TEST_OPTION_ISOLATE_DIRS (private XDG data, config and cache
 * directories, so GTK's shader cache and GSettings stay in the test), remembering the
 * system's data directories first: see tirkeu_ui_test_use_system_data().
 */
void
tirkeu_ui_test_init (int    *argc,
                     char ***argv)
{
  /* A test subprocess inherits its parent's isolated XDG_DATA_DIRS: the parent passes
   * the system's on in a variable of its own. */
  const char *saved = g_getenv ("TIRKEU_TEST_SYSTEM_DATA_DIRS");
  const char *dirs = g_getenv ("XDG_DATA_DIRS");

  if (saved != NULL && *saved != '\0')
    system_data_dirs = g_strdup (saved);
  else if (dirs != NULL && *dirs != '\0')
    system_data_dirs = g_strdup (dirs);
  else
    system_data_dirs = g_strdup ("/usr/local/share:/usr/share");
  g_setenv ("TIRKEU_TEST_SYSTEM_DATA_DIRS", system_data_dirs, TRUE);

  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
}

/**
 * tirkeu_ui_test_use_system_data:
 *
 * Puts the system's data directories back for this test. Isolation empties them, but the
 * read-only system data is part of what is tested: without the shared-mime-info database
 * gdk-pixbuf cannot tell an SVG icon from noise ("Unrecognized image file format"), and
 * without /usr/share/icons there is no Adwaita icon theme. Call it first in a test: GLib
 * reads the variable when it first needs it after the test's isolation was set up.
 */
void
tirkeu_ui_test_use_system_data (void)
{
  g_assert_nonnull (system_data_dirs);
  g_setenv ("XDG_DATA_DIRS", system_data_dirs, TRUE);
}

typedef struct
{
  TirkeuUiTestBody  body;
  gpointer          user_data;
  gboolean          ran;
} RunData;

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/**
 * tirkeu_ui_test_iterate:
 * @milliseconds: how long
 *
 * Runs the main context for @milliseconds.
 */
void
tirkeu_ui_test_iterate (guint milliseconds)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (milliseconds, timeout_cb, &timed_out);

  while (!timed_out)
    g_main_context_iteration (NULL, TRUE);
  (void) id;
}

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  gboolean *drawn = user_data;

  *drawn = TRUE;
}

/**
 * tirkeu_ui_test_wait_drawn:
 * @window: a presented window
 *
 * Iterates the main context until @window is mapped and its frame clock has painted a
 * frame; fails the test after 20 s.
 */
void
tirkeu_ui_test_wait_drawn (GtkWidget *window)
{
  gboolean timed_out = FALSE;
  gboolean drawn = FALSE;
  GdkFrameClock *clock = NULL;
  gulong handler = 0;
  guint timeout_id = g_timeout_add_seconds (20, timeout_cb, &timed_out);

  while (!timed_out && !gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);

  clock = gtk_widget_get_frame_clock (window);
  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &drawn);
  gtk_widget_queue_draw (window);

  while (!timed_out && !drawn)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);

  g_signal_handler_disconnect (clock, handler);
  g_source_remove (timeout_id);
}

static void
activate_after_cb (GApplication *application,
                   RunData      *run)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (run->ran)
    return;
  run->ran = TRUE;

  g_assert_true (TIRKEU_IS_WINDOW (window));
  tirkeu_ui_test_wait_drawn (GTK_WIDGET (window));

  run->body (TIRKEU_APPLICATION (application), TIRKEU_WINDOW (window), run->user_data);

  g_action_group_activate_action (G_ACTION_GROUP (application), "quit", NULL);
}

/**
 * tirkeu_ui_test_run_application:
 * @arguments: (nullable): command-line arguments after the program name
 * @body: the test, run once the main window has been drawn
 *
 * Runs a non-unique #TirkeuApplication with @arguments as g_application_run() would for
 * `tirkeu ARGUMENTS`, calls @body with its window, then quits.
 *
 * Returns: the exit status of g_application_run()
 */
int
tirkeu_ui_test_run_application (const char * const *arguments,
                                TirkeuUiTestBody    body,
                                gpointer            user_data)
{
  g_autoptr(TirkeuApplication) application = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  RunData run = { body, user_data, FALSE };
  int status;

  tirkeu_ui_test_use_system_data ();

  g_ptr_array_add (argv, (gpointer) "tirkeu");
  for (guint i = 0; arguments != NULL && arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) arguments[i]);
  g_ptr_array_add (argv, NULL);

  /* Non-unique: the tests run in parallel on one session bus. */
  application = tirkeu_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (application, "activate", G_CALLBACK (activate_after_cb), &run);
  status = g_application_run (G_APPLICATION (application), (int) argv->len - 1,
                              (char **) argv->pdata);
  if (status == 0)
    g_assert_true (run.ran);

  return status;
}

/**
 * tirkeu_ui_test_save_screenshot:
 * @widget: a drawn widget
 * @name: a file name without directory
 *
 * Renders @widget with its own renderer and saves it as PNG into the tests' build
 * directory.
 *
 * Returns: (transfer full): the path of the PNG file
 */
char *
tirkeu_ui_test_save_screenshot (GtkWidget  *widget,
                                const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  const char *builddir = g_getenv ("G_TEST_BUILDDIR");
  char *path = g_build_filename (builddir != NULL ? builddir : ".", name, NULL);

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);
  /* The paintable has nothing to give until the widget has been drawn since its last change:
   * on a loaded machine that frame can still be pending, so wait for it (bounded). */
  for (guint waited = 0; node == NULL && waited < 5000; waited += 20)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node == NULL)
        tirkeu_ui_test_iterate (20);
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);

  return path;
}

/**
 * tirkeu_ui_test_wait_until:
 * @predicate: what is waited for
 * @data: its argument
 * @seconds: how long at most
 *
 * Runs the main context until @predicate says yes or @seconds have passed.
 *
 * Returns: whether @predicate said yes in time
 */
gboolean
tirkeu_ui_test_wait_until (gboolean (*predicate) (gpointer),
                           gpointer   data,
                           guint      seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while (!predicate (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

/**
 * tirkeu_ui_test_find_descendant:
 * @root: where to look
 * @type: a widget type
 *
 * Returns: (transfer none) (nullable): @root or the first widget under it of @type
 */
GtkWidget *
tirkeu_ui_test_find_descendant (GtkWidget *root,
                                GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = tirkeu_ui_test_find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/**
 * tirkeu_ui_test_find_row:
 * @root: where to look
 * @title: a row's title
 *
 * Returns: (transfer none) (nullable): the first #AdwPreferencesRow under @root titled @title
 */
GtkWidget *
tirkeu_ui_test_find_row (GtkWidget  *root,
                         const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (root)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = tirkeu_ui_test_find_row (child, title);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/**
 * tirkeu_ui_test_find_action:
 * @root: where to look
 * @action: an action name, e.g. "desk.sign-in"
 *
 * Returns: (transfer none) (nullable): the first mapped #GtkActionable under @root (a button,
 * mostly) that activates @action: the one on the page shown, not a hidden page's
 */
GtkWidget *
tirkeu_ui_test_find_action (GtkWidget  *root,
                            const char *action)
{
  if (GTK_IS_ACTIONABLE (root) && gtk_widget_get_mapped (root)
      && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = tirkeu_ui_test_find_action (child, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/**
 * tirkeu_ui_test_find_toplevel:
 * @type: a window type
 *
 * Returns: (transfer none) (nullable): a visible toplevel of @type
 */
GtkWidget *
tirkeu_ui_test_find_toplevel (GType type)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (window))
        return window;
    }

  return NULL;
}

typedef struct
{
  gboolean done;
  gboolean ok;
} Spawned;

static void
spawned_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Spawned *spawned = user_data;

  spawned->ok = g_subprocess_wait_check_finish (G_SUBPROCESS (object), result, NULL);
  spawned->done = TRUE;
}

/**
 * tirkeu_ui_test_spawn:
 * @argv: the program and its arguments
 *
 * Runs @argv to its end with the main loop running (the window keeps drawing and taking
 * events meanwhile), and asserts that it succeeded within 20 s.
 */
void
tirkeu_ui_test_spawn (const char * const *argv)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Spawned spawned = { FALSE, FALSE };

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (process, NULL, spawned_cb, &spawned);
  for (guint i = 0; i < 1000 && !spawned.done; i++)
    tirkeu_ui_test_iterate (20);
  g_assert_true (spawned.done);
  g_assert_true (spawned.ok);
}

/**
 * tirkeu_ui_test_xdotool:
 * @window: the toplevel the keys go to
 * @args: xdotool's command and its arguments
 *
 * Gives @window the X input focus (what a window manager does on present; Xvfb runs none),
 * runs xdotool with @args, and lets GTK take the events in. X11 only.
 */
void
tirkeu_ui_test_xdotool (GtkWidget          *window,
                        const char * const *args)
{
#ifdef GDK_WINDOWING_X11
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

  g_ptr_array_add (argv, g_strdup ("xdotool"));
  g_ptr_array_add (argv, g_strdup ("windowfocus"));
  g_ptr_array_add (argv, g_strdup ("--sync"));
  g_ptr_array_add (argv, g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (surface)));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  tirkeu_ui_test_spawn ((const char * const *) argv->pdata);
  tirkeu_ui_test_iterate (200);
#else
  g_assert_not_reached ();
#endif
}

/**
 * tirkeu_ui_test_press:
 * @window: the toplevel the keys go to
 * @keys: xdotool key names, space-separated ("ctrl+n Return")
 */
void
tirkeu_ui_test_press (GtkWidget  *window,
                      const char *keys)
{
  tirkeu_ui_test_xdotool (window, (const char *[]) { "key", "--delay", "40", keys, NULL });
}

/**
 * tirkeu_ui_test_type:
 * @window: the toplevel the text goes to
 * @text: what to type
 *
 * Types @text at 12 ms a key: a barcode scanner's pace.
 */
void
tirkeu_ui_test_type (GtkWidget  *window,
                     const char *text)
{
  tirkeu_ui_test_xdotool (window, (const char *[]) { "type", "--delay", "12", text, NULL });
}
