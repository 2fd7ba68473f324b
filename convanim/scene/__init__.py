"""Scenes: matplotlib drawings of one animation, frame by frame.

Every scene subclasses `convanim.scene.base.Scene`; which scene draws which
view, layout and kind of spec is declared in the view registry
(`convanim.views`), which imports a scene module on first use (this package
itself imports no matplotlib, so that ``convanim shape`` starts fast).
"""
