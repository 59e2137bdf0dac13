/* test-line-label.c: the one-line label of Lock Passcodes' rows reads as a GtkLabel would
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * AmLineLabel measures itself from its font, not its text: these tests
 * hold it against a GtkLabel of the same text and style, shown in a window
 * (a display is needed: build-aux/dev test runs them under Xvfb).
 */
#include "config.h"

#include <adwaita.h>

#include "am-line-label.h"

static const char * const style_classes[] = { NULL, "heading", "dim-label", "caption", "title-4" };

/* Text with ascenders, descenders and accents. */
#define TALL_TEXT "Ágþ Jy · Zoë Ńg · Riley Prospect · Thu, Nov 26, 04:00"
/* With a name in a script the interface font may lack, drawn with another. */
#define FALLBACK_TEXT "Ágþ Jy · 山田 太郎 · محمد · Riley Prospect"

static GtkWidget *
line_label_new (const char *text,
                const char *style_class)
{
  GtkWidget *line = am_line_label_new ();

  am_line_label_set_text (AM_LINE_LABEL (line), text);
  if (style_class != NULL)
    gtk_widget_add_css_class (line, style_class);
  return line;
}

static GtkWidget *
label_new (const char *text,
           const char *style_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (style_class != NULL)
    gtk_widget_add_css_class (label, style_class);
  return label;
}

static int
natural_height (GtkWidget *widget)
{
  int natural;

  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, -1, NULL, &natural, NULL, NULL);
  return natural;
}

static void
on_after_paint_cb (GdkFrameClock *clock,
                   gboolean      *painted)
{
  *painted = TRUE;
}

/* Until @widget's window has drawn a frame after what changed. */
static void
next_frame (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gboolean painted = FALSE;
  gulong handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint_cb), &painted);

  gtk_widget_queue_draw (widget);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
}

/* A window holding @child at @width, shown until its first frame. */
static GtkWidget *
show_in_window (GtkWidget *child,
                int        width)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), width, -1);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (child))
    g_main_context_iteration (NULL, TRUE);
  next_frame (child);
  return window;
}

static void
count_glyphs (GskRenderNode *node,
              guint         *n_glyphs)
{
  GskRenderNodeType type = gsk_render_node_get_node_type (node);
  GskRenderNode *child = NULL;

  if (type == GSK_TEXT_NODE)
    *n_glyphs += gsk_text_node_get_num_glyphs (node);
  else if (type == GSK_CONTAINER_NODE)
    for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
      count_glyphs (gsk_container_node_get_child (node, i), n_glyphs);
  else if (type == GSK_TRANSFORM_NODE)
    child = gsk_transform_node_get_child (node);
  else if (type == GSK_CLIP_NODE)
    child = gsk_clip_node_get_child (node);
  else if (type == GSK_OPACITY_NODE)
    child = gsk_opacity_node_get_child (node);
  else if (type == GSK_COLOR_MATRIX_NODE)
    child = gsk_color_matrix_node_get_child (node);
  else if (type == GSK_DEBUG_NODE)
    child = gsk_debug_node_get_child (node);
  if (child != NULL)
    count_glyphs (child, n_glyphs);
}

/* The glyphs @widget draws. */
static guint
drawn_glyphs (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  guint n_glyphs = 0;

  gdk_paintable_snapshot (paintable, snapshot, gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  node = gtk_snapshot_free_to_node (snapshot);
  if (node != NULL)
    count_glyphs (node, &n_glyphs);
  return n_glyphs;
}

/* How much shorter than a GtkLabel of @text a line label is, at most, over
 * every style; a negative figure: taller. */
static int
most_shorter_than_a_label (const char *text)
{
  int most = G_MININT;

  for (guint i = 0; i < G_N_ELEMENTS (style_classes); i++)
    {
      g_autoptr(GtkWidget) line = g_object_ref_sink (line_label_new (text, style_classes[i]));
      g_autoptr(GtkWidget) label = g_object_ref_sink (label_new (text, style_classes[i]));
      int line_height = natural_height (line);
      int label_height = natural_height (label);

      g_test_message ("%s: line label %d px, label %d px", style_classes[i] ? style_classes[i] : "plain",
                      line_height, label_height);
      g_assert_cmpint (line_height, <=, label_height + 4);
      most = MAX (most, label_height - line_height);
    }
  return most;
}

/* Its height is its font's, whatever the text: never less than a label's,
 * so that no descender or accent is cut, and hardly more. */
static void
test_as_tall_as_a_label (void)
{
  g_assert_cmpint (most_shorter_than_a_label (TALL_TEXT), <=, 0);
}

/* Text in a fallback font may be a little taller than the interface
 * font's line: it is drawn whole (the label does not clip it), and the
 * row is at most a couple of pixels shorter than with a GtkLabel. */
static void
test_fallback_font_not_cut (void)
{
  g_autoptr(GtkWidget) line = g_object_ref_sink (am_line_label_new ());

  g_assert_cmpint (most_shorter_than_a_label (FALLBACK_TEXT), <=, 3);
  g_assert_cmpint (gtk_widget_get_overflow (line), ==, GTK_OVERFLOW_VISIBLE);
}

/* Empty, it takes no room (a row hides it too); a line break does not
 * make a second line. */
static void
test_empty_and_one_line (void)
{
  g_autoptr(GtkWidget) line = g_object_ref_sink (line_label_new ("Not used yet", NULL));
  int one_line = natural_height (line);

  am_line_label_set_text (AM_LINE_LABEL (line), "Not used\nyet");
  g_assert_cmpint (natural_height (line), ==, one_line);
  am_line_label_set_text (AM_LINE_LABEL (line), NULL);
  g_assert_cmpstr (am_line_label_get_text (AM_LINE_LABEL (line)), ==, "");
  g_assert_cmpint (natural_height (line), ==, 0);
}

/* A long text never makes the window wider: it is cut with an ellipsis
 * at the width it is given. */
static void
test_long_text_ellipsized (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  GtkWidget *line;
  GtkWidget *window;
  int minimum;
  guint glyphs;

  for (guint i = 0; i < 40; i++)
    g_string_append (text, "Cool Air HVAC · ");
  line = line_label_new (text->str, NULL);
  gtk_widget_measure (line, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  g_assert_cmpint (minimum, <, 40);

  window = show_in_window (line, 200);
  g_assert_cmpint (gtk_widget_get_width (line), <=, 200);
  glyphs = drawn_glyphs (line);
  g_test_message ("%u glyphs drawn of %ld characters", glyphs, g_utf8_strlen (text->str, -1));
  g_assert_cmpuint (glyphs, >, 5);
  g_assert_cmpuint (glyphs, <, 60);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* It draws what a label of the same text draws, and nothing once emptied. */
static void
test_draws_its_text (void)
{
  static const char * const texts[] = { "Used once", "Not used yet", "Zoë · 山田" };
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *line = line_label_new (NULL, NULL);
  GtkWidget *label = label_new (NULL, NULL);
  GtkWidget *window;

  gtk_box_append (GTK_BOX (box), line);
  gtk_box_append (GTK_BOX (box), label);
  window = show_in_window (box, 400);
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      am_line_label_set_text (AM_LINE_LABEL (line), texts[i]);
      gtk_label_set_text (GTK_LABEL (label), texts[i]);
      next_frame (box);
      g_assert_cmpuint (drawn_glyphs (line), >, 0);
      g_assert_cmpuint (drawn_glyphs (line), ==, drawn_glyphs (label));
    }
  am_line_label_set_text (AM_LINE_LABEL (line), "");
  next_frame (box);
  g_assert_cmpuint (drawn_glyphs (line), ==, 0);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_test_skip ("No display");
      return g_test_run ();
    }
  adw_init ();

  g_test_add_func ("/line-label/as-tall-as-a-label", test_as_tall_as_a_label);
  g_test_add_func ("/line-label/fallback-font-not-cut", test_fallback_font_not_cut);
  g_test_add_func ("/line-label/empty-and-one-line", test_empty_and_one_line);
  g_test_add_func ("/line-label/long-text-ellipsized", test_long_text_ellipsized);
  g_test_add_func ("/line-label/draws-its-text", test_draws_its_text);

  return g_test_run ();
}
