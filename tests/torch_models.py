"""Models written out for the tests (torchvision's layouts, no weights, torchvision not needed).

torch is imported when a model is first built (the test modules that build one have torch), so that
this module imports without it.
"""

import functools


@functools.cache
def _define() -> dict:
    """The models' classes and builders, defined once torch is imported."""
    import torch
    from torch import nn

    def conv3x3(cin, cout, stride=1):
        return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)


    class BasicBlock(nn.Module):
        expansion = 1

        def __init__(self, cin, planes, stride=1):
            super().__init__()
            self.conv1 = conv3x3(cin, planes, stride)
            self.bn1 = nn.BatchNorm2d(planes)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = conv3x3(planes, planes)
            self.bn2 = nn.BatchNorm2d(planes)
            self.downsample = None
            if stride != 1 or cin != planes:
                self.downsample = nn.Sequential(nn.Conv2d(cin, planes, 1, stride=stride, bias=False),
                                                nn.BatchNorm2d(planes))

        def forward(self, x):
            identity = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            out += identity
            return self.relu(out)


    class Bottleneck(nn.Module):
        """torchvision's layout ("ResNet v1.5"): the stride is in the 3x3 convolution of a stage's first unit."""

        expansion = 4

        def __init__(self, cin, planes, stride=1):
            super().__init__()
            out = planes * 4
            self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = conv3x3(planes, planes, stride)
            self.bn2 = nn.BatchNorm2d(planes)
            self.conv3 = nn.Conv2d(planes, out, 1, bias=False)
            self.bn3 = nn.BatchNorm2d(out)
            self.relu = nn.ReLU(inplace=True)
            self.downsample = None
            if stride != 1 or cin != out:
                self.downsample = nn.Sequential(nn.Conv2d(cin, out, 1, stride=stride, bias=False), nn.BatchNorm2d(out))

        def forward(self, x):
            identity = x
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.relu(self.bn2(self.conv2(out)))
            out = self.bn3(self.conv3(out))
            if self.downsample is not None:
                identity = self.downsample(x)
            return self.relu(torch.add(out, identity))


    class ResNet(nn.Module):
        def __init__(self, block, counts, stages=4, head=True, classes=10):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
            cin = 64
            self.stages = stages
            for s, (planes, n) in enumerate(zip((64, 128, 256, 512), counts[:stages]), 1):
                units = []
                for u in range(n):
                    units.append(block(cin, planes, 2 if u == 0 and s > 1 else 1))
                    cin = planes * block.expansion
                setattr(self, f"layer{s}", nn.Sequential(*units))
            self.head = head
            if head:
                self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
                self.fc = nn.Linear(cin, classes)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer1(x)
            if self.stages > 1:
                x = self.layer2(x)
            if self.stages > 2:
                x = self.layer3(x)
            if self.stages > 3:
                x = self.layer4(x)
            if self.head:
                x = torch.flatten(self.avgpool(x), 1)
                x = self.fc(x)
            return x


    def resnet18(**kw):
        return ResNet(BasicBlock, (2, 2, 2, 2), **kw)


    def resnet50(**kw):
        return ResNet(Bottleneck, (3, 4, 6, 3), **kw)


    VGG16 = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M")


    def vgg16_features():
        layers, cin = [], 3
        for v in VGG16:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(cin, v, 3, padding=1), nn.ReLU(inplace=True)]
                cin = v
        return nn.Sequential(*layers)


    def alexnet():
        """torchvision's AlexNet: features, adaptive average pooling to 6x6, a classifier."""
        class AlexNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.features = nn.Sequential(
                    nn.Conv2d(3, 64, 11, stride=4, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, stride=2),
                    nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, stride=2),
                    nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(inplace=True),
                    nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(inplace=True),
                    nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, stride=2))
                self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
                self.classifier = nn.Sequential(nn.Dropout(), nn.Linear(256 * 36, 64), nn.ReLU(inplace=True),
                                                nn.Linear(64, 10))

            def forward(self, x):
                x = self.avgpool(self.features(x))
                return self.classifier(torch.flatten(x, 1))

        return AlexNet()


    class UNet(nn.Module):
        """A small U-Net: two levels down (max pooling), transposed convolutions up, skips joined by torch.cat."""

        def __init__(self, cin=1, width=4):
            super().__init__()

            def double(a, b):
                return nn.Sequential(nn.Conv2d(a, b, 3, padding=1), nn.BatchNorm2d(b), nn.ReLU(),
                                     nn.Conv2d(b, b, 3, padding=1), nn.ReLU())

            w = width
            self.down1, self.down2, self.bottom = double(cin, w), double(w, 2 * w), double(2 * w, 4 * w)
            self.pool = nn.MaxPool2d(2)
            self.up2 = nn.ConvTranspose2d(4 * w, 2 * w, 2, stride=2)
            self.dec2 = double(4 * w, 2 * w)
            self.up1 = nn.ConvTranspose2d(2 * w, w, 3, stride=2, padding=1, output_padding=1)
            self.dec1 = double(2 * w, w)
            self.out = nn.Conv2d(w, 2, 1)

        def forward(self, x):
            a = self.down1(x)
            b = self.down2(self.pool(a))
            c = self.bottom(self.pool(b))
            d = self.dec2(torch.cat([self.up2(c), b], dim=1))
            e = self.dec1(torch.cat((self.up1(d), a), 1))
            return self.out(e)

    return locals()


def resnet18(**kw):
    return _define()["resnet18"](**kw)


def resnet50(**kw):
    return _define()["resnet50"](**kw)


def vgg16_features():
    return _define()["vgg16_features"]()


def alexnet():
    return _define()["alexnet"]()


def UNet(*args, **kw):  # noqa: N802 (the class's name, as the tests call it)
    return _define()["UNet"](*args, **kw)
